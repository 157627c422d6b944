import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UnknownWorkerError } from './errors';
import { assertValidWorkerClass, isWorkerClass, WorkerDefinitionError, type WorkerClass } from './worker';

const SOURCE_FILE = /^(?!.*\.(test|spec|d)\.[cm]?[jt]s$).*\.[cm]?[jt]s$/;

/** The Worker classes a process knows, by class name, and the module file each came from. */
export class WorkerRegistry {
  private readonly byName = new Map<string, WorkerClass>();

  /**
   * `modulePaths` says which file each class was loaded from, so another process (an isolated
   * job's) can load the same class; `fromModules` and `discover` fill it in.
   */
  constructor(
    classes: Iterable<WorkerClass>,
    private readonly modulePaths: ReadonlyMap<WorkerClass, string> = new Map(),
  ) {
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
    return WorkerRegistry.fromModules(readdirSync(dir).filter((f) => SOURCE_FILE.test(f)).sort().map((f) => join(dir, f)));
  }

  /** Loads each module (absolute paths) and registers every exported class that extends Worker. */
  static fromModules(paths: Iterable<string>): WorkerRegistry {
    const modulePaths = new Map<WorkerClass, string>();
    for (const path of paths) {
      const file = require.resolve(path);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported: Record<string, unknown> = require(file);
      // A class re-exported by a later module keeps the file it was first found in.
      for (const cls of Object.values(exported).filter(isWorkerClass)) if (!modulePaths.has(cls)) modulePaths.set(cls, file);
    }
    return new WorkerRegistry(modulePaths.keys(), modulePaths);
  }

  /** The file `cls` was loaded from; undefined for a class handed to the constructor directly. */
  modulePathOf(cls: WorkerClass): string | undefined {
    return this.modulePaths.get(cls);
  }

  /**
   * The class named `name`. An unknown name throws UnknownWorkerError, which lists the classes
   * `visible` lets through and suggests the closest: by default the public ones, so a client
   * never learns the names of internal workers it may not enqueue.
   */
  get(name: string, visible: (cls: WorkerClass) => boolean = (cls) => !cls.internal): WorkerClass {
    const cls = this.byName.get(name);
    if (!cls) throw new UnknownWorkerError(name, this.list().filter(visible).map((c) => c.name));
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
