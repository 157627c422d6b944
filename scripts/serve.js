// `npm run serve`: api + worker + beat in one terminal, as three processes like in Kubernetes.
// Stops all three on Ctrl-C, and all of them if one dies.
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');

// A development run listens on this machine only: the API accepts the public development tokens
// only then (NODE_ENV=development, HOST on loopback).
process.env.NODE_ENV ??= 'development';
process.env.HOST ??= '127.0.0.1';
// A local run needs tokens to call the API; never use these outside your machine.
const DEV_TOKENS = 'dev-client:dev-client-token-change-me:client,dev-admin:dev-admin-token-change-me:admin';
if (!process.env.API_TOKENS) {
  process.env.API_TOKENS = DEV_TOKENS;
  console.error('serve: API_TOKENS not set, using development tokens: client "dev-client-token-change-me", admin "dev-admin-token-change-me"');
}
const metricsPort = Number(process.env.METRICS_PORT || 9464);
const services = [
  { name: 'api', entry: 'services/api/src/main.ts', env: {} },
  { name: 'worker', entry: 'services/worker/src/main.ts', env: { METRICS_PORT: String(metricsPort) } },
  // The beat serves its own metrics port next to the worker's.
  { name: 'beat', entry: 'services/beat/src/main.ts', env: { METRICS_PORT: String(metricsPort + 1) } },
];

let stopping = false;
const children = services.map(({ name, entry, env }) => {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', join(root, entry)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`serve: ${name} exited (${signal ?? code}); stopping the others`);
    stop(code || 1);
  });
  return child;
});

function stop(exitCode) {
  stopping = true;
  const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
  if (alive.length === 0) process.exit(exitCode);
  let left = alive.length;
  for (const child of alive) {
    child.once('exit', () => --left === 0 && process.exit(exitCode));
    child.kill('SIGTERM');
  }
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
