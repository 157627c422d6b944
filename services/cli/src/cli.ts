import { parseCommand, USAGE } from './args';
import type { Cluster } from './cluster';
import { drainCommand } from './commands/drain';
import { scaleCommand } from './commands/scale';
import { statusCommand } from './commands/status';
import { loadCliConfig, type Env } from './config';
import { CliError, coerceError, EXIT, UsageError } from './errors';
import type { ConnectOptions } from './kube-cluster';
import { ApiQueueSource } from './queue-source';

export interface CliDeps {
  env: Env;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Opens the cluster: connectKube in main.ts, something smaller in unit tests. */
  connect(options: ConnectOptions): Promise<Cluster>;
}

/** Runs one `bullpen` command line; resolves with the exit code and never throws. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  try {
    const command = parseCommand(argv);
    if (command.name === 'help') {
      deps.stdout(USAGE);
      return EXIT.ok;
    }
    const config = loadCliConfig(deps.env, command);
    const cluster = await deps.connect({ env: deps.env, namespace: command.namespace, timeoutMs: config.timeoutMs });
    const queues = config.apiUrl ? new ApiQueueSource({ apiUrl: config.apiUrl, token: config.apiToken, timeoutMs: config.timeoutMs }) : null;
    const ctx = { cluster, queues, stdout: deps.stdout, stderr: deps.stderr };
    switch (command.name) {
      case 'status':
        return await statusCommand(ctx, command);
      case 'scale':
        return await scaleCommand(ctx, command);
      case 'drain':
        return await drainCommand(ctx, command);
    }
  } catch (thrown) {
    const err = coerceError(thrown);
    if (err instanceof UsageError) {
      deps.stderr(`bullpen: ${err.message}\nRun "bullpen --help" for usage.`);
      return EXIT.usage;
    }
    deps.stderr(`bullpen: ${err.message}`);
    return err instanceof CliError ? err.exitCode : EXIT.error;
  }
}
