// Preloaded (node --require) into the api, worker and beat that serve.js starts. serve.js starts
// them in their own process groups, so a Ctrl-C reaches each of them once, through serve.js; the
// price is that they would outlive a serve.js that is killed. Their stdin is a pipe serve.js
// never writes: its end means serve.js is gone, and the process drains and exits as on SIGTERM.
// Processes they start themselves (isolated jobs inherit the preload) have another parent and
// are left to the process that started them.
if (process.ppid === Number(process.env.BULLPEN_SERVE_PID)) {
  process.stdin.once('end', () => process.kill(process.pid, 'SIGTERM'));
  process.stdin.on('error', () => process.kill(process.pid, 'SIGTERM'));
  process.stdin.resume();
  // Reading stdin must not keep a process alive that would otherwise exit.
  process.stdin.unref();
}
