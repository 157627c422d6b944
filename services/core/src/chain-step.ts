import type { Job, JobsOptions } from 'bullmq';

/**
 * A chain step after the first takes the previous step's result as its args. The step says so in
 * its job options (BullMQ stores options it does not know and returns them with the job), so a
 * worker asks Redis for a child's result only for such a step, and a job without args (every cron
 * run) costs no extra round trip.
 */
const CHAIN_STEP = 'bullpenChainStep';

/** `opts` of a step that receives the previous step's result. */
export function chainStepOptions(opts: JobsOptions): JobsOptions {
  return { ...opts, [CHAIN_STEP]: true } as JobsOptions;
}

/**
 * True for a job that `chainStepOptions` marked, or for a step a producer from before the mark
 * enqueued (null data, failing its parent on failure; a cron run has neither), so chains in
 * flight during a rolling upgrade still get their previous result.
 */
export function isChainStep(job: Pick<Job, 'opts' | 'data'>): boolean {
  const opts = job.opts as Record<string, unknown>;
  return opts[CHAIN_STEP] === true || (job.data === null && opts.failParentOnFailure === true);
}
