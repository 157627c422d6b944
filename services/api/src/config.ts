import { ConfigError, loadCoreConfig, readInteger, readString, type CoreConfig, type Env } from '@bullpen/core';

/** `client` may enqueue and read; `admin` may also retry, cancel, pause and open the dashboard. */
export type Role = 'client' | 'admin';

export interface ApiToken {
  /** Who holds the token (logs, idempotency scope); never secret. */
  name: string;
  token: string;
  role: Role;
}

export interface ApiConfig extends CoreConfig {
  /** `PORT`, default 8080: the HTTP port. */
  port: number;
  /** `API_TOKENS`, default none: comma-separated `name:token:role`; with none, every `/api` request is refused. */
  tokens: readonly ApiToken[];
  /** `API_BODY_LIMIT_BYTES`, default 262144 (256 KiB): larger request bodies answer 413. */
  bodyLimitBytes: number;
  /** `API_IDEMPOTENCY_RETENTION_SECONDS`, default 86400 (1 day): how long an idempotency key stays bound to its job. */
  idempotencyRetentionSeconds: number;
  /** `API_REDIS_TIMEOUT_MS`, default 3000: a request whose Redis work takes longer answers 503. */
  redisTimeoutMs: number;
  /**
   * `REDIS_MIN_REPLICAS_ACK`, default 0: after an enqueue, wait (Redis `WAIT`, at most half of
   * `redisTimeoutMs`) until this many replicas have the job; fewer answer 202 with
   * `Bullpen-Replication: pending`, or 503 with `replicationStrict`.
   */
  minReplicasAck: number;
  /** `REDIS_REPLICATION_STRICT`, default false: an enqueue that reached fewer than `minReplicasAck` replicas answers 503 instead of 202. */
  replicationStrict: boolean;
}

export const API_DEFAULTS = {
  port: 8080,
  bodyLimitBytes: 256 * 1024,
  idempotencyRetentionSeconds: 86_400,
  redisTimeoutMs: 3_000,
  minReplicasAck: 0,
  replicationStrict: false,
} as const;

/** Shortest token accepted; anything shorter is guessable. */
export const MIN_TOKEN_LENGTH = 16;

const TOKEN_NAME = /^[\w.-]{1,64}$/;
const TOKEN_VALUE = /^[^\s:,]+$/;

export function loadApiConfig(env: Env): ApiConfig {
  const d = API_DEFAULTS;
  return Object.freeze({
    ...loadCoreConfig(env),
    port: readInteger(env, 'PORT', d.port, { min: 0, max: 65_535 }),
    tokens: parseApiTokens(env.API_TOKENS ?? ''),
    bodyLimitBytes: readInteger(env, 'API_BODY_LIMIT_BYTES', d.bodyLimitBytes, { min: 1024, max: 100 * 1024 * 1024 }),
    idempotencyRetentionSeconds: readInteger(env, 'API_IDEMPOTENCY_RETENTION_SECONDS', d.idempotencyRetentionSeconds, { min: 60, max: 30 * 86_400 }),
    redisTimeoutMs: readInteger(env, 'API_REDIS_TIMEOUT_MS', d.redisTimeoutMs, { min: 100, max: 60_000 }),
    minReplicasAck: readInteger(env, 'REDIS_MIN_REPLICAS_ACK', d.minReplicasAck, { min: 0, max: 100 }),
    replicationStrict: readBoolean(env, 'REDIS_REPLICATION_STRICT', d.replicationStrict),
  });
}

/** `true`/`false` (also `1`/`0`, `yes`/`no`); unset or empty takes the default. */
function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const value = readString(env, name, String(fallback)).toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(name, `expected true or false, got "${value}"`);
}

/**
 * Parses `name:token:role,...`. Errors name the entry by position and name, never by its
 * token, so a bad value does not leak a secret into logs.
 */
export function parseApiTokens(value: string): readonly ApiToken[] {
  const fail = (problem: string): never => {
    throw new ConfigError('API_TOKENS', problem);
  };
  const tokens: ApiToken[] = [];
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  entries.forEach((entry, i) => {
    const where = `entry ${i + 1}`;
    const parts = entry.split(':');
    if (parts.length !== 3) fail(`${where} must be name:token:role (role client or admin)`);
    const [name, token, role] = parts.map((p) => p.trim());
    if (!TOKEN_NAME.test(name)) fail(`${where}: name must be 1-64 letters, digits, _ . -`);
    if (role !== 'client' && role !== 'admin') fail(`${where} (${name}): role must be client or admin, got "${role}"`);
    if (!TOKEN_VALUE.test(token) || token.length < MIN_TOKEN_LENGTH) {
      fail(`${where} (${name}): token must be at least ${MIN_TOKEN_LENGTH} characters without spaces`);
    }
    if (tokens.some((t) => t.name === name)) fail(`${where}: name "${name}" is used twice`);
    if (tokens.some((t) => t.token === token)) fail(`${where} (${name}): the same token is listed twice`);
    tokens.push(Object.freeze({ name, token, role: role as Role }));
  });
  return Object.freeze(tokens);
}
