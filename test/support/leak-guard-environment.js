// Jest's node environment, failing a test file that leaves a Redis connection open (a BullMQ
// Worker's, Queue's, or its own) after the file's afterAll hooks; leak-guard.ts records them.
const { TestEnvironment } = require('jest-environment-node');

class LeakGuardEnvironment extends TestEnvironment {
  handleTestEvent(event, state) {
    if (event.name !== 'run_finish') return;
    const open = this.global.__bullpenLeakGuard?.() ?? [];
    if (open.length > 0) state.unhandledErrors.push(new Error(`the test file left ${open.length} open (close it in afterEach or afterAll):\n  ${open.join('\n  ')}`));
  }
}

module.exports = LeakGuardEnvironment;
