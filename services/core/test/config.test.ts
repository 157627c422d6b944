import { ConfigError, loadCoreConfig, readQueueList } from '@bullpen/core';

describe('core config', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadCoreConfig({});
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
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

  it('parses queue lists, dropping repeats, and names an unknown queue', () => {
    expect(readQueueList({ Q: 'low, critical,low' }, 'Q', [])).toEqual(['low', 'critical']);
    expect(() => readQueueList({ Q: 'critical,urgent' }, 'Q', [])).toThrow('Q: unknown queue "urgent"');
    expect(() => readQueueList({ Q: ' , ' }, 'Q', [])).toThrow('Q: names no queue');
  });
});
