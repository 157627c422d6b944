import { renderError, render } from './helm';

describe('values.schema.json', () => {
  it.each([
    ['a top-level key', { replicas: 3 }, "additional properties 'replicas' not allowed"],
    ['a nested key', { api: { replica: 2 } }, "at '/api': additional properties 'replica' not allowed"],
    ['a key in worker defaults', { workers: { defaults: { hpa: { enable: true } } } }, "at '/workers/defaults/hpa'"],
    ['a key in a worker group', { workers: { groups: [{ name: 'all', queues: ['critical', 'default', 'low'], concurency: 4 }] } }, "at '/workers/groups/0'"],
  ])('rejects an unknown key: %s', (_what, values, message) => {
    expect(renderError({ values })).toContain(message);
  });

  it.each([
    ['an unknown queue', { workers: { groups: [{ name: 'all', queues: ['urgent'] }] } }],
    ['a group name that is not a DNS label', { workers: { groups: [{ name: 'All_Queues', queues: ['critical', 'default', 'low'] }] } }],
    ['an unknown KEDA trigger', { workers: { defaults: { keda: { trigger: 'cpu' } } } }],
    ['zero concurrency', { workers: { defaults: { concurrency: 0 } } }],
    ['a negative reservedCritical', { workers: { defaults: { reservedCritical: -1 } } }],
    ['a weight of zero', { workers: { defaults: { queueWeights: { critical: 0, default: 3, low: 1 } } } }],
    ['a fractional weight', { workers: { defaults: { queueWeights: { critical: 1.5, default: 3, low: 1 } } } }],
    ['a weight for an unknown queue', { workers: { groups: [{ name: 'all', queues: ['critical', 'default', 'low'], queueWeights: { urgent: 1 } }] } }],
    ['weights as a string', { workers: { defaults: { queueWeights: 'critical:6,default:3,low:1' } } }],
    ['empty weights', { workers: { defaults: { queueWeights: {} } } }],
    ['an unknown isolation', { workers: { defaults: { isolation: 'thread' } } }],
    ['a job heap below 16 MiB', { workers: { defaults: { jobMemoryMB: 8 } } }],
    ['a password inside externalRedis.url', { redis: { enabled: false }, externalRedis: { url: 'redis://:secret@redis:6379' } }],
    ['an unknown log level', { config: { logLevel: 'verbose' } }],
  ])('rejects %s', (_what, values) => {
    expect(renderError({ values })).toContain("values don't meet the specifications of the schema");
  });

  it.each(['defaults', 'preview', 'production'] as const)('accepts the %s profile', (profile) => {
    expect(render({ profile }).length).toBeGreaterThan(0);
  });
});
