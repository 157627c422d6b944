import { planDrain, planScale, RefusedError } from '../src';
import { group, HPA, KEDA, queueStats } from './groups';

const empty = { ok: true as const, source: 'http://api/api/queues', queues: ['critical', 'default', 'low'].map((q) => queueStats(q)) };

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RefusedError);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('scale: who owns the replicas', () => {
  it('scales a group no autoscaler owns, with or without --pin', () => {
    expect(planScale(group('all'), 5, { pin: false })).toEqual({ kind: 'scale', replicas: 5 });
    expect(planScale(group('all'), 0, { pin: true })).toEqual({ kind: 'scale', replicas: 0 });
  });

  it('refuses when an HPA owns the group, naming its range and both ways out', () => {
    const message = refusal(() => planScale(group('all', { autoscaler: HPA }), 5, { pin: false }));
    expect(message).toContain('HorizontalPodAutoscaler bullpen-worker-all (min 3, max 12)');
    expect(message).toContain('nothing was changed');
    expect(message).toContain('hpa.minReplicas / hpa.maxReplicas');
    expect(message).toContain('bullpen scale all 5 -n bullpen-test --pin');
  });

  it('refuses when KEDA owns the group, naming paused-replicas and how to undo a pin', () => {
    const message = refusal(() => planScale(group('all', { autoscaler: KEDA }), 4, { pin: false }));
    expect(message).toContain('KEDA ScaledObject bullpen-worker-all (min 1, max 10)');
    expect(message).toContain('autoscaling.keda.sh/paused-replicas=4');
    expect(message).toContain('kubectl annotate scaledobject bullpen-worker-all -n bullpen-test autoscaling.keda.sh/paused-replicas-');
  });

  it('--pin pins the autoscaler that owns the group instead of fighting it', () => {
    expect(planScale(group('all', { autoscaler: HPA }), 5, { pin: true })).toEqual({ kind: 'pin-hpa', replicas: 5, hpa: 'bullpen-worker-all' });
    expect(planScale(group('all', { autoscaler: KEDA }), 0, { pin: true })).toEqual({ kind: 'pin-keda', replicas: 0, scaledObject: 'bullpen-worker-all' });
  });

  it('refuses to pin an HPA at zero, which it cannot hold, and points at drain', () => {
    const message = refusal(() => planScale(group('all', { autoscaler: HPA }), 0, { pin: true }));
    expect(message).toContain('an HPA keeps at least 1 replica');
    expect(message).toContain('bullpen drain all -n bullpen-test');
  });
});

describe('drain: only once no job is left that only this group runs', () => {
  it('scales to zero when every queue of the group is empty', () => {
    expect(planDrain(group('all'), [group('all')], empty, false)).toEqual({ scale: true, warnings: [] });
  });

  it('refuses while a queue holds ready, running, delayed or waiting-for-children jobs, with the counts', () => {
    const queues = [queueStats('critical'), queueStats('default', { ready: 12, active: 3 }), queueStats('low', { delayed: 1, waitingChildren: 2 })];
    const message = refusal(() => planDrain(group('all'), [group('all')], { ...empty, queues }, false));
    expect(message).toContain('default: 12 ready, 3 active');
    expect(message).toContain('low: 1 delayed, 2 waiting for children');
    expect(message).not.toContain('critical:');
    expect(message).toContain('--force');
  });

  it("drains past a cron scheduler's next run, warning that the schedule stops while no group consumes the queue", () => {
    const queues = [queueStats('critical', { delayed: 1, jobSchedulers: 1 }), queueStats('default'), queueStats('low')];
    expect(planDrain(group('all'), [group('all')], { ...empty, queues }, false)).toEqual({
      scale: true,
      warnings: ['critical: 1 cron schedule will not run until a group consumes the queue again'],
    });
    const two = [queueStats('critical', { delayed: 2, jobSchedulers: 2 }), queueStats('default'), queueStats('low')];
    expect(planDrain(group('all'), [group('all')], { ...empty, queues: two }, false).warnings).toEqual([
      'critical: 2 cron schedules will not run until a group consumes the queue again',
    ]);
  });

  it('still refuses for delayed jobs beyond the one per scheduler, counting only those', () => {
    const queues = [queueStats('critical', { delayed: 2, jobSchedulers: 1 }), queueStats('default'), queueStats('low')];
    const message = refusal(() => planDrain(group('all'), [group('all')], { ...empty, queues }, false));
    expect(message).toContain('no other running group would run: critical: 1 delayed.');
    const forced = planDrain(group('all'), [group('all')], { ...empty, queues }, true);
    expect(forced.warnings).toEqual([expect.stringContaining('(--force): critical: 1 delayed;'), 'critical: 1 cron schedule will not run until a group consumes the queue again']);
  });

  it('does not warn about schedules on a queue another running group keeps consuming', () => {
    const queues = [queueStats('critical', { delayed: 1, jobSchedulers: 1 }), queueStats('default'), queueStats('low')];
    const leaving = group('rest', { queues: ['default', 'low'] });
    const critical = group('critical', { queues: ['critical'] });
    expect(planDrain(leaving, [leaving, critical], { ...empty, queues }, false)).toEqual({ scale: true, warnings: [] });
    const all = group('all');
    expect(planDrain(all, [all, critical], { ...empty, queues }, false)).toEqual({ scale: true, warnings: [] });
  });

  it('ignores failed and completed jobs: nobody runs them again by themselves', () => {
    const queues = [queueStats('critical', { failed: 40 }), queueStats('default'), queueStats('low')];
    expect(planDrain(group('all'), [group('all')], { ...empty, queues }, false).scale).toBe(true);
  });

  it('lets a group go when another running or autoscaled group consumes the same busy queue', () => {
    const busy = { ...empty, queues: [queueStats('critical', { ready: 5 }), queueStats('default', { ready: 5 }), queueStats('low', { ready: 5 })] };
    const leaving = group('extra', { queues: ['default', 'low'] });
    const others = [group('all'), group('critical', { queues: ['critical'] })];
    expect(planDrain(leaving, [leaving, ...others], busy, false).scale).toBe(true);
    const autoscaled = group('all', { desiredReplicas: 0, autoscaler: KEDA });
    expect(planDrain(leaving, [leaving, autoscaled], busy, false).scale).toBe(true);
    // A group already at zero with no autoscaler runs nothing: it does not count.
    const stopped = group('all', { desiredReplicas: 0 });
    expect(refusal(() => planDrain(leaving, [leaving, stopped], busy, false))).toContain('default: 5 ready');
  });

  it('--force scales anyway and warns about what stays behind', () => {
    const busy = { ...empty, queues: [queueStats('critical'), queueStats('default', { ready: 2 }), queueStats('low')] };
    const plan = planDrain(group('all'), [group('all')], busy, true);
    expect(plan.scale).toBe(true);
    expect(plan.warnings.join()).toContain('default: 2 ready');
  });

  it('refuses when the queues cannot be read, unless --force', () => {
    const unreadable = { ok: false as const, error: 'GET http://api/api/queues failed: ECONNREFUSED' };
    const message = refusal(() => planDrain(group('all'), [group('all')], unreadable, false));
    expect(message).toContain('cannot tell whether the queues of "all" (critical, default, low) are empty');
    expect(message).toContain('ECONNREFUSED');
    expect(planDrain(group('all'), [group('all')], unreadable, true).warnings.join()).toContain('queues not checked');
  });

  it('treats a queue the API does not report as not known to be empty', () => {
    const message = refusal(() => planDrain(group('all'), [group('all')], { ...empty, queues: [queueStats('critical')] }, false));
    expect(message).toContain('default: not reported by the API');
  });

  it('refuses an autoscaled group even with --force: it would be scaled straight back up', () => {
    expect(refusal(() => planDrain(group('all', { autoscaler: HPA }), [], empty, true))).toContain('turn the HPA off');
    expect(refusal(() => planDrain(group('all', { autoscaler: KEDA }), [], empty, true))).toContain('bullpen scale all 0 -n bullpen-test --pin');
  });

  it('has nothing to do for a group already at zero', () => {
    expect(planDrain(group('all', { desiredReplicas: 0 }), [], { ok: false, error: 'x' }, false)).toEqual({ scale: false, warnings: [] });
  });
});
