import { RuntimeStartedError, ShutdownError } from './errors';

/**
 * One part of a process with a start and a close. `close` must be safe when `start` never ran
 * or threw, as the process closes every part it registered. A close that resolves to an object
 * adds its fields to the process's "stopped" log line (the worker pool's `handedBack`).
 */
export interface Component {
  start?(): unknown;
  close?(): unknown;
}

/**
 * Starts components in the order they were added and closes them in reverse, finishing every
 * close even when one throws (then throws a ShutdownError naming each failed step). `start()`
 * runs once; `close()` is memoised and safe before `start()`.
 */
export class Lifecycle {
  private readonly steps: Array<{ name: string; component: Component }> = [];
  private started = false;
  private closing?: Promise<Record<string, unknown>>;

  add(name: string, component: Component): void {
    if (this.started || this.closing) throw new RuntimeStartedError(`cannot add "${name}" once the runtime has started`);
    this.steps.push({ name, component });
  }

  async start(): Promise<void> {
    if (this.closing) throw new RuntimeStartedError('the runtime is closed: it cannot start again');
    if (this.started) throw new RuntimeStartedError('the runtime has started already: start() runs once');
    this.started = true;
    for (const { component } of this.steps) await component.start?.();
  }

  /** Resolves to the fields the closes reported. */
  close(): Promise<Record<string, unknown>> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<Record<string, unknown>> {
    const report: Record<string, unknown> = {};
    const failures: Array<{ step: string; error: unknown }> = [];
    for (const { name, component } of [...this.steps].reverse()) {
      try {
        const result = await component.close?.();
        if (result && typeof result === 'object') Object.assign(report, result);
      } catch (error) {
        failures.push({ step: name, error });
      }
    }
    if (failures.length > 0) throw new ShutdownError(failures);
    return report;
  }
}
