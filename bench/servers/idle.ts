// An idle Node process started the way the bench's workers are (node + tsx), for bench/memory.ts:
// how much of their RSS is the runtime and the TypeScript loader rather than the worker.
setTimeout(() => process.send!({ pid: process.pid }), 500);
process.once('disconnect', () => process.exit(0));
process.once('SIGTERM', () => process.exit(0));
