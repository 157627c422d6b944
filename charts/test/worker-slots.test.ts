import { envOf, render, renderError, workerDeployment, type K8sObject } from './helm';

/**
 * How a worker pod shares its job slots (one pool of `concurrency` across the group's queues):
 * the values that set it, the env they become, and the render-time checks that stop a value the
 * worker would refuse at start (and crash-loop on) from reaching the cluster.
 */
const SPLIT = [
  { name: 'critical', queues: ['critical'] },
  { name: 'bulk', queues: ['default', 'low'] },
];

const workerEnv = (objects: K8sObject[], group: string) => envOf(workerDeployment(objects, group).spec.template.spec.containers[0]);

describe('worker job slots', () => {
  it('by default leaves reserved slots and weights to the worker, and runs jobs inline with a 256 MiB job heap', () => {
    const env = workerEnv(render(), 'all');
    expect(env).toMatchObject({ WORKER_CONCURRENCY: '8', WORKER_ISOLATION: 'inline', WORKER_JOB_MEMORY_MB: '256' });
    // null in the values: the worker's own default (1 reserved critical slot here; strict order).
    expect(env).not.toHaveProperty('WORKER_RESERVED_CRITICAL');
    expect(env).not.toHaveProperty('WORKER_QUEUE_WEIGHTS');
  });

  it.each(['preview', 'production'] as const)('the %s profile keeps the defaults, within its memory limit', (profile) => {
    const env = workerEnv(render({ profile }), 'all');
    expect(env).toMatchObject({ WORKER_ISOLATION: 'inline', WORKER_JOB_MEMORY_MB: '256' });
    expect(env).not.toHaveProperty('WORKER_RESERVED_CRITICAL');
    expect(env).not.toHaveProperty('WORKER_QUEUE_WEIGHTS');
  });

  it('renders reserved critical slots, weights in priority order, isolation and the job heap when set', () => {
    const values = {
      workers: {
        defaults: { reservedCritical: 2, queueWeights: { low: 1, critical: 6, default: 3 }, isolation: 'process', jobMemoryMB: 300 },
        groups: [{ name: 'all', queues: ['low', 'critical', 'default'] }],
      },
    };
    expect(workerEnv(render({ values }), 'all')).toMatchObject({
      WORKER_RESERVED_CRITICAL: '2',
      WORKER_QUEUE_WEIGHTS: 'critical:6,default:3,low:1',
      WORKER_ISOLATION: 'process',
      WORKER_JOB_MEMORY_MB: '300',
    });
  });

  it('renders reservedCritical 0 (no reserved slot), which differs from the default', () => {
    expect(workerEnv(render({ values: { workers: { defaults: { reservedCritical: 0 } } } }), 'all').WORKER_RESERVED_CRITICAL).toBe('0');
  });

  it("lets a group replace the defaults' weights whole, or go back to strict order with null", () => {
    const values = {
      workers: {
        defaults: { queueWeights: { critical: 6, default: 3, low: 1 } },
        groups: [
          { name: 'critical', queues: ['critical'], queueWeights: null },
          { name: 'bulk', queues: ['default', 'low'], queueWeights: { default: 4, low: 1 }, isolation: 'process' },
          { name: 'all', queues: ['critical', 'default', 'low'] },
        ],
      },
    };
    const objects = render({ values });
    expect(workerEnv(objects, 'critical')).not.toHaveProperty('WORKER_QUEUE_WEIGHTS');
    expect(workerEnv(objects, 'bulk')).toMatchObject({ WORKER_QUEUE_WEIGHTS: 'default:4,low:1', WORKER_ISOLATION: 'process' });
    expect(workerEnv(objects, 'critical').WORKER_ISOLATION).toBe('inline');
    expect(workerEnv(objects, 'all').WORKER_QUEUE_WEIGHTS).toBe('critical:6,default:3,low:1');
  });

  it.each([
    ['reserved slots in a group without critical',
      { defaults: { reservedCritical: 1 }, groups: SPLIT },
      'workers group "bulk": reservedCritical (1) keeps slots for critical, but the group consumes only default, low; set reservedCritical: 0 (or null) for it'],
    ['as many reserved slots as the pod has',
      { defaults: { concurrency: 4, reservedCritical: 4 } },
      'workers group "all": reservedCritical (4) must be below concurrency (4)'],
    ['weights for a queue the group does not consume (inherited from the defaults)',
      { defaults: { queueWeights: { critical: 6, default: 3, low: 1 } }, groups: SPLIT },
      'workers group "critical": queueWeights names "default", which the group does not consume (queues: critical); give the group its own queueWeights, or null for strict order'],
    ['a queue of the group without a weight',
      { defaults: { queueWeights: { critical: 6, default: 3 } } },
      'workers group "all": queueWeights gives no weight to "low"; weigh every queue of the group (critical, default, low), or set queueWeights: null for strict order'],
    ['a job heap as large as the memory limit',
      { defaults: { jobMemoryMB: 512 } },
      'workers group "all": jobMemoryMB (512) must be below the memory limit (resources.limits.memory 512Mi = 512 MiB)'],
    ['a job heap above a decimal memory limit',
      { defaults: { jobMemoryMB: 1000, resources: { limits: { memory: '1G' } } } },
      'workers group "all": jobMemoryMB (1000) must be below the memory limit (resources.limits.memory 1G = 953 MiB)'],
    ['a job heap above one group\'s own limit',
      { groups: [{ name: 'all', queues: ['critical', 'default', 'low'], jobMemoryMB: 300, resources: { limits: { memory: '256Mi' } } }] },
      'workers group "all": jobMemoryMB (300) must be below the memory limit (resources.limits.memory 256Mi = 256 MiB)'],
    ['a memory limit it cannot read',
      { defaults: { resources: { limits: { memory: '1e9' } } } },
      'cannot read the memory quantity "1e9" (write it like 512Mi or 1Gi)'],
  ])('fails the render on %s, naming the group and the values', (_what, workers, message) => {
    expect(renderError({ values: { workers } })).toContain(message);
  });

  it('accepts a job heap just below the limit, and any heap when the group has no memory limit', () => {
    expect(workerEnv(render({ values: { workers: { defaults: { jobMemoryMB: 511 } } } }), 'all').WORKER_JOB_MEMORY_MB).toBe('511');
    expect(workerEnv(render({ values: { workers: { defaults: { jobMemoryMB: 2048, resources: { limits: { memory: '4Gi' } } } } } }), 'all').WORKER_JOB_MEMORY_MB).toBe('2048');
    const unlimited = { workers: { defaults: { jobMemoryMB: 4096, resources: { requests: { memory: '512Mi' }, limits: null } } } };
    expect(workerEnv(render({ values: unlimited }), 'all').WORKER_JOB_MEMORY_MB).toBe('4096');
  });
});
