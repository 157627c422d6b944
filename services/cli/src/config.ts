import { parseUrl } from './args';
import { UsageError } from './errors';

export type Env = Readonly<Record<string, string | undefined>>;

export interface CliConfig {
  /** `--api-url`, else `BULLPEN_API_URL`; default none (status then shows no queues, drain needs --force). */
  apiUrl?: string;
  /** `BULLPEN_API_TOKEN`, default none: a client token for the API (never a flag: flags show in `ps`). */
  apiToken?: string;
  /** `BULLPEN_TIMEOUT_SECONDS`, default 15: how long one request to Kubernetes or the API may take. */
  timeoutMs: number;
}

export const CLI_DEFAULTS = { timeoutSeconds: 15 } as const;

/** Reads the environment once; a bad value fails naming the variable. */
export function loadCliConfig(env: Env, flags: { apiUrl?: string } = {}): CliConfig {
  const fromEnv = env.BULLPEN_API_URL?.trim() || undefined;
  const apiUrl = flags.apiUrl ?? (fromEnv === undefined ? undefined : parseUrl(fromEnv, 'BULLPEN_API_URL'));
  const apiToken = env.BULLPEN_API_TOKEN?.trim() || undefined;
  const rawTimeout = env.BULLPEN_TIMEOUT_SECONDS?.trim() || undefined;
  let timeoutSeconds: number = CLI_DEFAULTS.timeoutSeconds;
  if (rawTimeout !== undefined) {
    if (!/^\d+$/.test(rawTimeout) || Number(rawTimeout) < 1 || Number(rawTimeout) > 600) {
      throw new UsageError(`BULLPEN_TIMEOUT_SECONDS: expected whole seconds between 1 and 600, got "${rawTimeout}"`);
    }
    timeoutSeconds = Number(rawTimeout);
  }
  return Object.freeze({ apiUrl, apiToken, timeoutMs: timeoutSeconds * 1000 });
}
