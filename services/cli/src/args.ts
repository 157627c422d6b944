import { parseArgs } from 'node:util';
import { UsageError } from './errors';

export const USAGE = `Usage:
  bullpen status [-n NAMESPACE] [--json]          worker groups, their autoscalers and queue backlogs
  bullpen scale GROUP REPLICAS [-n NAMESPACE] [--pin]
                                                  set a group's replicas (refused while an autoscaler owns them;
                                                  --pin pins the HPA's min/max or KEDA's paused-replicas instead)
  bullpen drain GROUP [-n NAMESPACE] [--force]    scale a group to zero once its queues are empty

Options:
  -n, --namespace NS   namespace of the release (default: the kubeconfig context's, else "default")
  --release NAME       only this Helm release's groups, when a namespace holds several
  --api-url URL        the Bullpen API, for queue depths (default: $BULLPEN_API_URL); token from $BULLPEN_API_TOKEN
  -h, --help           this help

Kubernetes access: $KUBECONFIG or ~/.kube/config (current context), or the pod's service account in a cluster.
Exit codes: 0 done, 1 error, 2 bad command line, 3 refused (nothing changed).`;

interface Common {
  namespace?: string;
  release?: string;
  apiUrl?: string;
}

export type Command =
  | { name: 'help' }
  | (Common & { name: 'status'; json: boolean })
  | (Common & { name: 'scale'; group: string; replicas: number; pin: boolean })
  | (Common & { name: 'drain'; group: string; force: boolean });

const OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  release: { type: 'string' },
  'api-url': { type: 'string' },
  json: { type: 'boolean' },
  pin: { type: 'boolean' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which options each command takes, beyond -n, --release, --api-url and -h. */
const OWN_OPTIONS: Record<string, readonly string[]> = { status: ['json'], scale: ['pin'], drain: ['force'] };
const ARITY: Record<string, readonly string[]> = { status: [], scale: ['GROUP', 'REPLICAS'], drain: ['GROUP'] };

/** Parses `bullpen`'s arguments (without node and the script); throws UsageError naming the problem. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // node's messages are fine ("Unknown option '--x'"), minus the advice about '--'.
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (values.help || name === undefined || name === 'help') return { name: 'help' };
  if (!(name in ARITY)) throw new UsageError(`unknown command "${name}" (commands: status, scale, drain)`);

  for (const option of ['json', 'pin', 'force'] as const) {
    if (values[option] && !OWN_OPTIONS[name].includes(option)) throw new UsageError(`bullpen ${name} takes no --${option}`);
  }
  const expected = ARITY[name];
  if (rest.length < expected.length) throw new UsageError(`bullpen ${name}: missing ${expected.slice(rest.length).join(' and ')}`);
  if (rest.length > expected.length) throw new UsageError(`bullpen ${name}: unexpected argument "${rest[expected.length]}"`);

  const common: Common = {
    namespace: nonEmpty(values.namespace, '--namespace'),
    release: nonEmpty(values.release, '--release'),
    apiUrl: values['api-url'] === undefined ? undefined : parseUrl(values['api-url']),
  };
  if (name === 'status') return { name, ...common, json: values.json === true };
  const group = rest[0];
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(group)) throw new UsageError(`bullpen ${name}: "${group}" is not a worker group name`);
  if (name === 'drain') return { name, ...common, group, force: values.force === true };
  return { name: 'scale', ...common, group, replicas: parseReplicas(rest[1]), pin: values.pin === true };
}

function parseReplicas(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`bullpen scale: REPLICAS must be a whole number >= 0, got "${value}"`);
  const n = Number(value);
  // The Deployment API's limit (int32).
  if (n > 2_147_483_647) throw new UsageError(`bullpen scale: REPLICAS ${value} is too large`);
  return n;
}

function nonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`${flag} needs a value`);
  return value.trim();
}

export function parseUrl(value: string, what = '--api-url'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${what}: not a URL: "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${what}: expected an http:// or https:// URL, got "${value}"`);
  return value;
}
