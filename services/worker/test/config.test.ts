import { ConfigError } from '@bullpen/core';
import { loadWorkerConfig } from '@bullpen/worker';

describe('worker config: the slot pool', () => {
  it('reserves one slot for critical by default, none without critical or at concurrency 1', () => {
    expect(loadWorkerConfig({}).reservedCritical).toBe(1);
    expect(loadWorkerConfig({ WORKER_QUEUES: 'default,low' }).reservedCritical).toBe(0);
    expect(loadWorkerConfig({ WORKER_CONCURRENCY: '1' }).reservedCritical).toBe(0);
    expect(loadWorkerConfig({ WORKER_CONCURRENCY: '8', WORKER_RESERVED_CRITICAL: '3' }).reservedCritical).toBe(3);
  });

  it('orders the queues by priority, whatever order WORKER_QUEUES lists them in', () => {
    expect(loadWorkerConfig({ WORKER_QUEUES: 'low,critical' }).queues).toEqual(['critical', 'low']);
  });

  it('reads weights for every consumed queue', () => {
    expect(loadWorkerConfig({ WORKER_QUEUE_WEIGHTS: 'critical:6, default:3, low:1' }).queueWeights).toEqual({ critical: 6, default: 3, low: 1 });
    expect(loadWorkerConfig({}).queueWeights).toBeUndefined();
  });

  it.each([
    [{ WORKER_RESERVED_CRITICAL: '8' }, 'WORKER_RESERVED_CRITICAL: must be between 0 and 7, got 8'],
    [{ WORKER_QUEUES: 'low', WORKER_RESERVED_CRITICAL: '1' }, 'WORKER_RESERVED_CRITICAL: reserves 1 slot(s) for critical, but WORKER_QUEUES does not include critical'],
    [{ WORKER_QUEUE_WEIGHTS: 'critical=6' }, 'WORKER_QUEUE_WEIGHTS: expected queue:weight pairs like critical:6,default:3,low:1, got "critical=6"'],
    [{ WORKER_QUEUE_WEIGHTS: 'critical:6,default:3' }, 'WORKER_QUEUE_WEIGHTS: gives no weight to low; weigh every queue in WORKER_QUEUES'],
    [{ WORKER_QUEUES: 'critical', WORKER_QUEUE_WEIGHTS: 'critical:1,low:1' }, 'WORKER_QUEUE_WEIGHTS: "low" is not a queue this pod consumes (critical)'],
    [{ WORKER_QUEUE_WEIGHTS: 'critical:0,default:1,low:1' }, 'WORKER_QUEUE_WEIGHTS: the weight of critical must be at least 1, got 0'],
    [{ WORKER_ISOLATION: 'thread' }, 'WORKER_ISOLATION: expected inline or process, got "thread"'],
    [{ WORKER_JOB_MEMORY_MB: '8' }, 'WORKER_JOB_MEMORY_MB: must be between 16 and 65536, got 8'],
  ])('refuses %j with one line naming the variable', (env, line) => {
    const load = () => loadWorkerConfig(env);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(line);
  });
});
