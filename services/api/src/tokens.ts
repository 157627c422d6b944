import { readFileSync } from 'node:fs';
import { ConfigError, type Env } from '@bullpen/core';
import { parse as parseYaml } from 'yaml';

/** `client` may enqueue and read its own jobs; `admin` may also read every job, retry, cancel, pause and open the dashboard. */
export type Role = 'client' | 'admin';

/** Enqueue limits of one token, per second; 0 means no limit. */
export interface RateLimit {
  requestsPerSecond: number;
  jobsPerSecond: number;
}

export interface ApiToken {
  /** Who holds the token (logs, job ownership, idempotency scope); never secret. */
  name: string;
  token: string;
  role: Role;
  /** The only workers this token may enqueue; undefined: every public (non-internal) worker. */
  workers?: readonly string[];
  /** This token's own limits; undefined: the API's defaults (`API_RATE_*`). */
  rateLimit?: RateLimit;
}

/** The least entropy a token must carry, estimated as length × log2(alphabet of the characters it uses). */
export const MIN_TOKEN_BITS = 128;
/** Below this Shannon entropy per character a token is a repetition (`aaaa...`, `abab...`), whatever its length. */
const MIN_BITS_PER_CHAR = 3;

/**
 * The tokens the README and `make dev` print. Public, so accepted only by a development server
 * that listens on loopback (`NODE_ENV=development`, `HOST=127.0.0.1`).
 */
export const DEVELOPMENT_TOKENS: ReadonlySet<string> = new Set(['dev-client-token-change-me', 'dev-admin-token-change-me']);

const TOKEN_NAME = /^[\w.-]{1,64}$/;
const TOKEN_VALUE = /^[^\s:,|]+$/;
const WORKER_NAME = /^[A-Za-z_$][\w$]{0,199}$/;

/** Estimated bits of entropy: the alphabet is judged from the character classes the token uses. */
export function tokenBits(token: string): number {
  const hex = /^[0-9a-f]+$/i.test(token) && !/^\d+$/.test(token);
  const alphabet = hex
    ? 16
    : (/[a-z]/.test(token) ? 26 : 0) + (/[A-Z]/.test(token) ? 26 : 0) + (/\d/.test(token) ? 10 : 0) + (/[^a-zA-Z\d]/.test(token) ? 32 : 0);
  return token.length * Math.log2(Math.max(alphabet, 2));
}

/** Shannon entropy of the token's own characters, in bits per character. */
function bitsPerChar(token: string): number {
  const counts = new Map<string, number>();
  for (const c of token) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / token.length) * Math.log2(n / token.length);
  return bits;
}

/** Why `token` is too weak to accept, or undefined when it is strong enough. */
export function tokenWeakness(token: string): string | undefined {
  if (!TOKEN_VALUE.test(token)) return 'token must not contain spaces, ":", "," or "|"';
  if (tokenBits(token) < MIN_TOKEN_BITS || bitsPerChar(token) < MIN_BITS_PER_CHAR) {
    return `token is guessable: it needs ${MIN_TOKEN_BITS} bits of entropy, e.g. 32 random hex characters (openssl rand -hex 16)`;
  }
  return undefined;
}

/** Where the token list came from, for error messages. */
type Source = 'API_TOKENS' | 'API_TOKENS_FILE';

/** Checks one entry and freezes it; errors name the entry by position and name, never by its token. */
function checkToken(source: Source, index: number, entry: ApiToken, seen: readonly ApiToken[]): ApiToken {
  const where = `entry ${index + 1}`;
  const fail = (problem: string): never => {
    throw new ConfigError(source, problem);
  };
  const { name, token, role, workers, rateLimit } = entry;
  if (typeof name !== 'string' || !TOKEN_NAME.test(name)) fail(`${where}: name must be 1-64 letters, digits, _ . -`);
  if (role !== 'client' && role !== 'admin') fail(`${where} (${name}): role must be client or admin, got "${String(role)}"`);
  if (typeof token !== 'string') fail(`${where} (${name}): token must be a string`);
  const weak = DEVELOPMENT_TOKENS.has(token) ? undefined : tokenWeakness(token);
  if (weak) fail(`${where} (${name}): ${weak}`);
  if (workers !== undefined) {
    if (!Array.isArray(workers) || workers.length === 0) fail(`${where} (${name}): workers must list at least one worker class name`);
    const bad = workers.find((w) => typeof w !== 'string' || !WORKER_NAME.test(w));
    if (bad !== undefined) fail(`${where} (${name}): "${String(bad)}" is not a worker class name`);
  }
  if (rateLimit !== undefined) {
    for (const field of ['requestsPerSecond', 'jobsPerSecond'] as const) {
      const n = (rateLimit as Partial<RateLimit>)[field];
      if (typeof n !== 'number' || !(n >= 0)) fail(`${where} (${name}): rateLimit.${field} must be a number >= 0 (0: no limit)`);
    }
  }
  if (seen.some((t) => t.name === name)) fail(`${where}: name "${name}" is used twice`);
  if (seen.some((t) => t.token === token)) fail(`${where} (${name}): the same token is listed twice`);
  return Object.freeze({
    name,
    token,
    role,
    ...(workers ? { workers: Object.freeze([...new Set(workers)]) } : {}),
    ...(rateLimit ? { rateLimit: Object.freeze({ requestsPerSecond: rateLimit.requestsPerSecond, jobsPerSecond: rateLimit.jobsPerSecond }) } : {}),
  });
}

function checkAll(source: Source, entries: readonly ApiToken[]): readonly ApiToken[] {
  const tokens: ApiToken[] = [];
  entries.forEach((entry, i) => tokens.push(checkToken(source, i, entry, tokens)));
  return Object.freeze(tokens);
}

/** Parses `API_TOKENS`: `name:token:role[:WorkerA|WorkerB],...`. */
export function parseApiTokens(value: string): readonly ApiToken[] {
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean).map((entry, i): ApiToken => {
    const parts = entry.split(':').map((p) => p.trim());
    if (parts.length !== 3 && parts.length !== 4) {
      throw new ConfigError('API_TOKENS', `entry ${i + 1} must be name:token:role or name:token:role:WorkerA|WorkerB (role client or admin)`);
    }
    const [name, token, role, workers] = parts;
    return { name, token, role: role as Role, ...(workers === undefined ? {} : { workers: workers.split('|').map((w) => w.trim()) }) };
  });
  return checkAll('API_TOKENS', entries);
}

/** Parses the file `API_TOKENS_FILE` names: YAML or JSON, `{tokens: [{name, token, role, workers?, rateLimit?}]}`. */
export function parseTokensFile(text: string): readonly ApiToken[] {
  let doc: unknown;
  try {
    doc = parseYaml(text); // YAML is a superset of JSON
  } catch (err) {
    throw new ConfigError('API_TOKENS_FILE', `not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const list = (doc as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(list)) throw new ConfigError('API_TOKENS_FILE', 'expected a top-level "tokens:" list of {name, token, role, workers?, rateLimit?}');
  const unknownField = list.flatMap((t: object, i) => Object.keys(t ?? {}).filter((k) => !['name', 'token', 'role', 'workers', 'rateLimit'].includes(k)).map((k) => `entry ${i + 1}: unknown field "${k}"`))[0];
  if (unknownField) throw new ConfigError('API_TOKENS_FILE', `${unknownField} (fields: name, token, role, workers, rateLimit)`);
  return checkAll('API_TOKENS_FILE', list as ApiToken[]);
}

/**
 * The API's tokens: `API_TOKENS_FILE` (the way for many tokens: a mounted Secret) or
 * `API_TOKENS`, not both.
 */
export function loadTokens(env: Env): readonly ApiToken[] {
  const file = env.API_TOKENS_FILE?.trim();
  const inline = env.API_TOKENS?.trim();
  if (file && inline) throw new ConfigError('API_TOKENS_FILE', 'set API_TOKENS_FILE or API_TOKENS, not both');
  if (!file) return parseApiTokens(inline ?? '');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('API_TOKENS_FILE', `cannot read "${file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseTokensFile(text);
}
