import { Worker, type JobContext } from '@bullpen/core';
import { z } from 'zod';

/** Returns its args; lives on `critical` so bulk requests span queues. */
export class EchoWorker extends Worker<{ n: number }, { n: number }> {
  static override queue = 'critical' as const;
  static override maxRetries = 0;
  static override schema = z.object({ n: z.number().int() });

  perform(args: { n: number }): { n: number } {
    return args;
  }
}

/** Fails its first attempt for good (no retries), succeeds when run again (a manual retry). */
export class FlakyWorker extends Worker<{ label?: string }, { attempt: number }> {
  static override queue = 'low' as const;
  static override maxRetries = 0;

  perform(_args: { label?: string }, ctx: JobContext): { attempt: number } {
    if (ctx.attempt === 1) throw new Error('flaky: first attempt fails');
    return { attempt: ctx.attempt };
  }
}

/** Stays active until the test opens the gate, so a test can act on a running job. */
export class GateWorker extends Worker<Record<string, never>, string> {
  static override queue = 'critical' as const;
  static override maxRetries = 0;
  private static gate = GateWorker.closedGate();

  private static closedGate(): { opened: Promise<void>; open: () => void } {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { opened, open };
  }

  static open(): void {
    GateWorker.gate.open();
  }

  static close(): void {
    GateWorker.gate = GateWorker.closedGate();
  }

  async perform(): Promise<string> {
    await GateWorker.gate.opened;
    return 'passed';
  }
}
