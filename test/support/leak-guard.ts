import { Cluster, Redis } from 'ioredis';

/**
 * Records every Redis connection that connects while this test file runs (a BullMQ Worker or
 * QueueEvents always makes its own, a Queue or FlowProducer given options too);
 * leak-guard-environment.js asks which are still open once the file's own afterAll hooks have
 * run, and fails the file naming them and the line that made each.
 */
interface Tracked {
  what: string;
  createdAt: string;
  isOpen(): boolean;
}

const tracked: Tracked[] = [];
const seen = new WeakSet<object>();

/** The first file:line:column outside node_modules and this file: the test or support line that made it. */
function creationSite(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50; // a BullMQ worker connects from deep inside its constructor
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const sites = stack.split('\n').map((frame) => /\(?([^\s()]+:\d+:\d+)\)?$/.exec(frame)?.[1]);
  return sites.find((site) => site && !site.startsWith('node:') && !site.includes('node_modules') && !site.startsWith(__filename)) ?? 'where no test code was on the stack';
}

function track(target: object, what: () => string, isOpen: () => boolean): void {
  if (seen.has(target)) return;
  seen.add(target);
  tracked.push({ what: what(), createdAt: creationSite(), isOpen });
}

// Open until it ends; one whose quit() or disconnect() is under way is closing, not leaked.
// ioredis keeps manuallyClosing private; Cluster has no host or port of its own.
type Connection = { status: string; manuallyClosing?: boolean; options: { host?: string; port?: number } };
for (const cls of [Redis, Cluster]) {
  const proto = cls.prototype as unknown as { connect: (this: Connection, ...args: unknown[]) => Promise<void> };
  const connect = proto.connect;
  proto.connect = function (this: Connection, ...args: unknown[]) {
    track(this, () => (this instanceof Cluster ? 'a Redis Cluster connection' : `a Redis connection to ${this.options.host}:${this.options.port}`), () => this.status !== 'end' && !this.manuallyClosing);
    return connect.apply(this, args);
  };
}

(globalThis as { __bullpenLeakGuard?: () => string[] }).__bullpenLeakGuard = () => tracked.filter((t) => t.isOpen()).map((t) => `${t.what}, made at ${t.createdAt}`);
