import { join } from 'node:path';
import { Job } from 'bullmq';
import { until } from '../../../test/support/deferred';
import { startFixtureService, type ServiceProcess } from '../../../test/support/service-process';
import { harness, type Harness } from './harness';

const POISON_POD = join(__dirname, 'fixtures', 'poison-pod.ts');

describe('poison jobs in isolated processes', () => {
  let h: Harness;
  let proc: ServiceProcess | undefined;
  beforeEach(() => {
    h = harness('isolation');
  });
  afterEach(async () => {
    // The pod and its job processes: a failed run must not leave the busy loop spinning.
    await proc?.kill();
    await h.close();
  });

  it('fails a busy loop and a process.exit after exactly two attempts each, while the pod keeps running its other jobs', async () => {
    proc = startFixtureService('worker', POISON_POD, { ...h.env, LOG_LEVEL: 'info', WORKER_QUEUES: 'default', WORKER_CONCURRENCY: '4' }, { ownProcessGroup: true });
    const { metricsPort } = await proc.waitForLog('worker started');
    const qe = await h.queueEvents('default');
    const finished = new Map<string, 'completed' | 'failed'>();
    const onCompleted = ({ jobId }: { jobId: string }) => finished.set(jobId, 'completed');
    const onFailed = ({ jobId }: { jobId: string }) => finished.set(jobId, 'failed');
    qe.on('completed', onCompleted);
    qe.on('failed', onFailed);

    const add = (name: string, data: unknown) => h.queues.get('default').add(name, data, { attempts: 2 });
    const spinning = await add('SpinningJob', null);
    const exiting = await add('ExitingJob', null);
    const ordinary = await h.queues.get('default').addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'OrdinaryJob', data: { i }, opts: { attempts: 1 } })));
    const poison = [spinning.id!, exiting.id!];
    await until((check) => {
      qe.on('completed', check);
      qe.on('failed', check);
      return () => {
        qe.off('completed', check);
        qe.off('failed', check);
      };
    }, () => [...poison, ...ordinary.map((j) => j.id!)].every((id) => finished.has(id)));

    const reload = async (id: string) => (await Job.fromId(h.queues.get('default'), id))!;
    const spun = await reload(spinning.id!);
    const exited = await reload(exiting.id!);
    expect([spun.attemptsMade, spun.failedReason]).toEqual([2, 'timed out after 2 s']);
    expect([exited.attemptsMade, exited.failedReason]).toEqual([2, 'job process exited with code 1']);
    // Every ordinary job completed, and before the busy loop's second attempt was given up.
    const ordinaryDone = await Promise.all(ordinary.map((j) => reload(j.id!)));
    expect(ordinaryDone.map((j) => j.returnvalue)).toEqual(ordinary.map((_, i) => i));
    expect(Math.max(...ordinaryDone.map((j) => j.finishedOn!))).toBeLessThan(spun.finishedOn!);
    // The pod itself never went down, and is ready for more.
    expect(proc.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status).toBe(200);
  }, 30_000);
});
