import { ConfigError, loadCoreConfig, readQueueList } from '@bullpen/core';

describe('core config', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadCoreConfig({});
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', sentinelMaster: 'mymaster', sentinels: undefined, sentinelPassword: undefined, clusterNodes: undefined });
    expect(config.prefix).toBe('bull');
    expect(config.logLevel).toBe('info');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ['REDIS_URL', 'not a url', /^REDIS_URL: not a URL/],
    ['REDIS_URL', 'http://127.0.0.1:6379', /^REDIS_URL: expected redis:\/\/ or rediss:\/\//],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL: expected one of/],
    ['BULLPEN_PREFIX', 'a b', /^BULLPEN_PREFIX: only/],
    ['JOB_RETENTION_COMPLETED_COUNT', '-1', /^JOB_RETENTION_COMPLETED_COUNT: must be >= 0/],
    ['JOB_RETENTION_FAILED_SECONDS', '1.5', /^JOB_RETENTION_FAILED_SECONDS: expected an integer/],
  ])('refuses %s=%s with one line naming the variable', (name, value, message) => {
    let error: unknown;
    try {
      loadCoreConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('reads a Sentinel set or a Cluster instead of REDIS_URL\'s host', () => {
    expect(loadCoreConfig({ REDIS_SENTINELS: 'a:26379, 10.0.0.2:26380,[::1]:26381', REDIS_SENTINEL_MASTER: 'jobs' }).redis).toMatchObject({
      sentinels: [{ host: 'a', port: 26379 }, { host: '10.0.0.2', port: 26380 }, { host: '::1', port: 26381 }],
      sentinelMaster: 'jobs',
    });
    expect(loadCoreConfig({ REDIS_CLUSTER_NODES: 'n1:7000,n2:7001' }).redis.clusterNodes).toEqual([{ host: 'n1', port: 7000 }, { host: 'n2', port: 7001 }]);
  });

  it.each([
    [{ REDIS_SENTINELS: 'a:26379,b' }, 'REDIS_SENTINELS: expected host:port[,host:port...], got "b"'],
    [{ REDIS_CLUSTER_NODES: 'n1:70000' }, 'REDIS_CLUSTER_NODES: expected host:port[,host:port...], got "n1:70000"'],
    [{ REDIS_SENTINELS: 'a:1', REDIS_CLUSTER_NODES: 'b:2' }, 'REDIS_CLUSTER_NODES: set REDIS_SENTINELS or REDIS_CLUSTER_NODES, not both'],
    [{ REDIS_CLUSTER_NODES: 'n1:7000', BULLPEN_PREFIX: '{bull}' }, 'BULLPEN_PREFIX: on Redis Cluster Bullpen gives each queue its own hash tag; use a prefix without braces, got "{bull}"'],
    [{ REDIS_SENTINEL_MASTER: 'my master' }, 'REDIS_SENTINEL_MASTER: only letters, digits, _ . - allowed, got "my master"'],
  ])('refuses the Redis topology %j with one line naming the variable', (env, line) => {
    expect(() => loadCoreConfig(env)).toThrow(line);
  });

  it('parses queue lists, dropping repeats, and names an unknown queue', () => {
    expect(readQueueList({ Q: 'low, critical,low' }, 'Q', [])).toEqual(['low', 'critical']);
    expect(() => readQueueList({ Q: 'critical,urgent' }, 'Q', [])).toThrow('Q: unknown queue "urgent"');
    expect(() => readQueueList({ Q: ' , ' }, 'Q', [])).toThrow('Q: names no queue');
  });
});
