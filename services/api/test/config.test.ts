import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError } from '@bullpen/core';
import { API_DEFAULTS, loadApiConfig } from '../src';

const TOKENS = 'app:client-token-0123456789:client,ops:admin-token-0123456789:admin';
const ID_SECRET = 'config-test-id-secret-0123456789abcdef';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadApiConfig({ API_ID_SECRET: ID_SECRET, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadApiConfig', () => {
  it('uses the documented defaults', () => {
    const config = loadApiConfig({ API_ID_SECRET: ID_SECRET });
    expect(config).toMatchObject({
      port: 8080,
      bodyLimitBytes: 262_144,
      idempotencyRetentionSeconds: 86_400,
      redisTimeoutMs: 3_000,
      shutdownTimeoutSeconds: 25,
      minReplicasAck: 0,
      replicationStrict: false,
      tokens: [],
      redis: { url: 'redis://127.0.0.1:6379', sentinelMaster: 'mymaster' },
      prefix: 'bull',
    });
    expect(API_DEFAULTS.bodyLimitBytes).toBe(256 * 1024);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads API_TOKENS as name:token:role entries', () => {
    const config = loadApiConfig({ API_TOKENS: ` ${TOKENS} , `, PORT: '9000', API_BODY_LIMIT_BYTES: '4096', API_ID_SECRET: ID_SECRET });
    expect(config.tokens).toEqual([
      { name: 'app', token: 'client-token-0123456789', role: 'client' },
      { name: 'ops', token: 'admin-token-0123456789', role: 'admin' },
    ]);
    expect(config.port).toBe(9000);
    expect(config.bodyLimitBytes).toBe(4096);
  });

  it.each([
    ['a missing part', 'app:client-token-0123456789', /entry 1 must be name:token:role/],
    ['an unknown role', 'app:client-token-0123456789:root', /entry 1 \(app\): role must be client or admin, got "root"/],
    ['a short token', 'app:short:client', /entry 1 \(app\): token is guessable: it needs 128 bits of entropy/],
    ['a long token of one character', `app:${'a'.repeat(64)}:client`, /entry 1 \(app\): token is guessable/],
    ['a long repeated pattern', `app:${'ab12'.repeat(16)}:client`, /entry 1 \(app\): token is guessable/],
    ['too few hex characters', 'app:0123456789abcdef0123456789abcd:client', /entry 1 \(app\): token is guessable/],
    ['a fifth part', 'app:client-token-0123456789:client:EchoWorker:x', /entry 1 must be name:token:role or name:token:role:WorkerA\|WorkerB/],
    ['a bad name', 'a b:client-token-0123456789:client', /entry 1: name must be/],
    ['a name used twice', `${TOKENS},app:third-token-0123456789:client`, /entry 3: name "app" is used twice/],
    ['a token listed twice', `${TOKENS},again:client-token-0123456789:admin`, /entry 3 \(again\): the same token is listed twice/],
  ])('refuses API_TOKENS with %s in one line that names the variable and not the token', (_case, value, message) => {
    const err = configError({ API_TOKENS: value });
    expect(err.variable).toBe('API_TOKENS');
    expect(err.message).toMatch(/^API_TOKENS: /);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
    expect(err.message).not.toMatch(/token-0123456789/);
  });

  it.each([
    ['PORT', 'http'],
    ['PORT', '70000'],
    ['API_BODY_LIMIT_BYTES', '10'],
    ['API_IDEMPOTENCY_RETENTION_SECONDS', '1.5'],
    ['API_REDIS_TIMEOUT_MS', '0'],
    ['REDIS_URL', 'http://x'],
    ['REDIS_MIN_REPLICAS_ACK', '-1'],
    ['REDIS_MIN_REPLICAS_ACK', 'two'],
    ['REDIS_REPLICATION_STRICT', 'maybe'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(configError({ [name]: value }).variable).toBe(name);
  });

  it('reads REDIS_MIN_REPLICAS_ACK and REDIS_REPLICATION_STRICT', () => {
    expect(loadApiConfig({ API_ID_SECRET: ID_SECRET, REDIS_MIN_REPLICAS_ACK: '2', REDIS_REPLICATION_STRICT: 'true' })).toMatchObject({ minReplicasAck: 2, replicationStrict: true });
    expect(loadApiConfig({ API_ID_SECRET: ID_SECRET, REDIS_REPLICATION_STRICT: 'FALSE' }).replicationStrict).toBe(false);
  });
});

describe('api process start-up', () => {
  it('exits 2 with one line naming API_TOKENS when an entry is bad', () => {
    const root = join(__dirname, '../../..');
    const result = spawnSync(join(root, 'node_modules/.bin/tsx'), ['--conditions=development', 'services/api/src/main.ts'], {
      cwd: root,
      env: { ...process.env, API_TOKENS: 'app:secret-token-0123456789:superuser', PORT: '0' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'bullpen: bad configuration: API_TOKENS: entry 1 (app): role must be client or admin, got "superuser"',
    ]);
  });
});
