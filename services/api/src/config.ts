import { ConfigError, isLoopbackHost, loadCoreConfig, readInteger, readString, type CoreConfig, type Env } from '@bullpen/core';
import { DEVELOPMENT_TOKENS, loadTokens, tokenWeakness, type ApiToken, type RateLimit } from './tokens';

export type { ApiToken, RateLimit, Role } from './tokens';

/** What the dashboard may change besides reading (Bull Board's actions, grouped); `DASHBOARD_ACTIONS`. */
export const DASHBOARD_ACTIONS = ['retry', 'promote', 'pause', 'clean', 'add', 'edit', 'obliterate', 'concurrency', 'schedulers'] as const;
export type DashboardAction = (typeof DASHBOARD_ACTIONS)[number];

export interface ApiConfig extends CoreConfig {
  /** `PORT`, default 8080: the HTTP port. */
  port: number;
  /**
   * `API_TOKENS_FILE` (YAML/JSON) or `API_TOKENS` (`name:token:role[:WorkerA|WorkerB],...`),
   * default none: with none, every `/api` request is refused.
   */
  tokens: readonly ApiToken[];
  /** Which of the two variables the tokens came from, for error messages. */
  tokensFrom: 'API_TOKENS' | 'API_TOKENS_FILE';
  /**
   * `API_ID_SECRET` (32+ characters, required outside development and tests): keys the HMAC
   * behind job ownership and idempotency-derived job ids, so no client can compute another's.
   */
  idSecret: string;
  /** `API_RATE_REQUESTS_PER_SECOND` (100) / `API_RATE_JOBS_PER_SECOND` (1000): each token's default enqueue limits; 0 = none. */
  rateLimit: RateLimit;
  /** `API_RATE_BURST_SECONDS`, default 2: a token may spend this many seconds of its rate at once. */
  rateBurstSeconds: number;
  /** `DASHBOARD_ACTIONS`, default `retry`: what the dashboard may change (`none`: read only). */
  dashboardActions: readonly DashboardAction[];
  /** `API_REQUEST_TIMEOUT_SECONDS`, default 30: a request (headers and body) that takes longer is cut off. */
  requestTimeoutSeconds: number;
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
  rateLimit: { requestsPerSecond: 100, jobsPerSecond: 1000 },
  rateBurstSeconds: 2,
  requestTimeoutSeconds: 30,
} as const;

/** Public, so used only by development servers and tests; anywhere else `API_ID_SECRET` must be set. */
const DEVELOPMENT_ID_SECRET = 'bullpen-development-id-secret-not-for-production';

export function loadApiConfig(env: Env): ApiConfig {
  const d = API_DEFAULTS;
  const core = loadCoreConfig(env);
  const development = env.NODE_ENV === 'development' || env.NODE_ENV === 'test';
  const tokensFrom = env.API_TOKENS_FILE?.trim() ? 'API_TOKENS_FILE' : 'API_TOKENS';
  return Object.freeze({
    ...core,
    port: readInteger(env, 'PORT', d.port, { min: 0, max: 65_535 }),
    tokens: refuseDevelopmentTokens(tokensFrom, loadTokens(env), env.NODE_ENV === 'development' && isLoopbackHost(core.host)),
    tokensFrom,
    idSecret: readIdSecret(env, development),
    rateLimit: Object.freeze({
      requestsPerSecond: readInteger(env, 'API_RATE_REQUESTS_PER_SECOND', d.rateLimit.requestsPerSecond, { min: 0, max: 1_000_000 }),
      jobsPerSecond: readInteger(env, 'API_RATE_JOBS_PER_SECOND', d.rateLimit.jobsPerSecond, { min: 0, max: 10_000_000 }),
    }),
    rateBurstSeconds: readInteger(env, 'API_RATE_BURST_SECONDS', d.rateBurstSeconds, { min: 1, max: 3600 }),
    dashboardActions: readDashboardActions(env),
    requestTimeoutSeconds: readInteger(env, 'API_REQUEST_TIMEOUT_SECONDS', d.requestTimeoutSeconds, { min: 1, max: 3600 }),
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

/** The README's development tokens are public: refused unless a development server listens on loopback only. */
function refuseDevelopmentTokens(variable: ApiConfig['tokensFrom'], tokens: readonly ApiToken[], allowed: boolean): readonly ApiToken[] {
  const i = tokens.findIndex((t) => DEVELOPMENT_TOKENS.has(t.token));
  if (i >= 0 && !allowed) {
    throw new ConfigError(variable, `entry ${i + 1} (${tokens[i].name}) is a public development token; it is accepted only with NODE_ENV=development and HOST=127.0.0.1 (make dev): give every token 32 random hex characters (openssl rand -hex 16)`);
  }
  return tokens;
}

function readIdSecret(env: Env, development: boolean): string {
  const secret = readString(env, 'API_ID_SECRET', '');
  if (!secret) {
    if (development) return DEVELOPMENT_ID_SECRET;
    throw new ConfigError('API_ID_SECRET', 'required outside development: 32+ random characters shared by every API replica and kept across restarts (openssl rand -hex 32); the chart generates one');
  }
  if (secret.length < 32 || tokenWeakness(secret)) throw new ConfigError('API_ID_SECRET', 'must be 32+ random characters (openssl rand -hex 32)');
  return secret;
}

function readDashboardActions(env: Env): readonly DashboardAction[] {
  const value = readString(env, 'DASHBOARD_ACTIONS', 'retry');
  if (value === 'none') return Object.freeze([]);
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.find((n) => !(DASHBOARD_ACTIONS as readonly string[]).includes(n));
  if (unknown !== undefined || names.length === 0) {
    throw new ConfigError('DASHBOARD_ACTIONS', `${unknown === undefined ? 'names no action' : `unknown action "${unknown}"`}; expected none or a comma list of ${DASHBOARD_ACTIONS.join(', ')}`);
  }
  return Object.freeze([...new Set(names)] as DashboardAction[]);
}
