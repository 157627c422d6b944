import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UnknownWorkerError } from './errors';
import { assertValidWorkerClass, isWorkerClass, WorkerDefinitionError, type WorkerClass } from './worker';

const SOURCE_FILE = /^(?!.*\.(test|spec|d)\.[cm]?[jt]s$).*\.[cm]?[jt]s$/;

/** The Worker classes a process knows, by class name. */
export class WorkerRegistry {
  private readonly byName = new Map<string, WorkerClass>();

  constructor(classes: Iterable<WorkerClass>) {
    for (const cls of classes) {
      assertValidWorkerClass(cls);
      const existing = this.byName.get(cls.name);
      if (existing && existing !== cls) throw new WorkerDefinitionError(`two Worker classes are named ${cls.name}`);
      this.byName.set(cls.name, cls);
    }
  }

  /**
   * Loads every source file in `dir` and registers each exported class that extends Worker.
   * No hand-kept list: adding a file is enough.
   */
  static discover(dir: string): WorkerRegistry {
    const classes: WorkerClass[] = [];
    for (const file of readdirSync(dir).filter((f) => SOURCE_FILE.test(f)).sort()) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported: Record<string, unknown> = require(join(dir, file));
      classes.push(...Object.values(exported).filter(isWorkerClass));
    }
    return new WorkerRegistry(classes);
  }

  get(name: string): WorkerClass {
    const cls = this.byName.get(name);
    if (!cls) throw new UnknownWorkerError(name);
    return cls;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  list(): WorkerClass[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  scheduled(): WorkerClass[] {
    return this.list().filter((cls) => cls.cronSchedule !== undefined);
  }
}
