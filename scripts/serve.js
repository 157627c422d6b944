// `npm run serve` / `make dev`: api + worker + beat in one terminal, as three processes like in
// Kubernetes, on 127.0.0.1 only.
// - Ctrl-C drains: each process gets one SIGTERM and finishes its active jobs within
//   SHUTDOWN_TIMEOUT_SECONDS; a second Ctrl-C kills them. Exits 0 when all three stopped cleanly.
// - Adding, changing or removing a job module in services/jobs/src/workers restarts all three
//   (the API and the beat load the job classes too), each drained first.
// - A process that exits by itself (a syntax error in a job module) stays down until the next
//   change there; the others keep running.
const { join, relative } = require('node:path');
const { DEV_TOKENS, apiUrl, banner } = require('./dev/banner');
const { ServiceProcess } = require('./dev/service-process');
const { describeChange, watchJobModules } = require('./dev/watch-job-modules');
const jobsIndex = require('./workers-index');

const root = join(__dirname, '..');
const jobModulesDir = relative(root, jobsIndex.WORKERS_DIR);

// The API accepts the public development tokens only in development on loopback.
process.env.NODE_ENV ??= 'development';
process.env.HOST ??= '127.0.0.1';
const devTokens = !process.env.API_TOKENS && !process.env.API_TOKENS_FILE;
if (devTokens) process.env.API_TOKENS = DEV_TOKENS;

const env = process.env;
const apiPort = env.PORT || '8080';
const metricsPort = env.METRICS_PORT || '9464';
// The beat serves its metrics port next to the worker's (a bad value reaches both, which say so).
const beatMetricsPort = /^[1-9]\d*$/.test(metricsPort) ? String(Number(metricsPort) + 1) : metricsPort;
const shutdownSeconds = Number(env.SHUTDOWN_TIMEOUT_SECONDS) || 25;
// Past the processes' own deadline (the budget + 1.5 s), serve.js kills what still runs.
const stopDeadlineMs = shutdownSeconds * 1000 + 5_000;

const url = apiUrl(env.HOST, apiPort);
const host = new URL(url).hostname;
// Port 0 (any free port) cannot be polled: the banner then waits for the API alone.
const healthUrls = [`${url}/healthz`, ...[metricsPort, beatMetricsPort].filter((p) => p !== '0').map((p) => `http://${host}:${p}/healthz`)];

const services = [
  { name: 'api', entry: 'services/api/src/main.ts', env: {} },
  { name: 'worker', entry: 'services/worker/src/main.ts', env: { METRICS_PORT: metricsPort } },
  { name: 'beat', entry: 'services/beat/src/main.ts', env: { METRICS_PORT: beatMetricsPort } },
].map((s) => new ServiceProcess({
  ...s,
  root,
  stopDeadlineMs,
  onUnexpectedExit: (how) => console.error(`serve: ${s.name} exited (${how}); it starts again when ${jobModulesDir}/ changes (Ctrl-C quits)`),
}));

let stopSignalAt;
let forced = false;
let bannerShown = false;

function startAll() {
  for (const s of services) s.start();
  if (!bannerShown) void showBannerWhenUp();
}

/** Drains every running process; true when each exited 0. */
async function stopAll() {
  const clean = await Promise.all(services.map((s) => s.stop()));
  return clean.every(Boolean);
}

/** Prints the banner once all three answer /healthz; gives up if one exits first (it says why). */
async function showBannerWhenUp() {
  const answers = (u) => fetch(u, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
  while (services.every((s) => s.running) && stopSignalAt === undefined) {
    if ((await Promise.all(healthUrls.map(answers))).every(Boolean)) {
      if (!bannerShown && services.every((s) => s.running)) console.error(banner({ url, devTokens, jobModulesDir }));
      bannerShown = true;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// Changes that arrive during a restart make one more restart after it.
let pendingChange;
let restarting = false;
async function restartOnChange(change) {
  if (stopSignalAt !== undefined) return;
  // jobs.ts re-exports every job module, so users' code imports them by name.
  try {
    jobsIndex.write();
  } catch (err) {
    console.error(`serve: could not update ${relative(root, jobsIndex.JOBS_FILE)}: ${err.message}`);
  }
  pendingChange = pendingChange ? `${pendingChange}; ${describeChange(change)}` : describeChange(change);
  if (restarting) return;
  restarting = true;
  while (pendingChange !== undefined && stopSignalAt === undefined) {
    console.error(`serve: ${pendingChange} in ${jobModulesDir}/; restarting api, worker and beat`);
    pendingChange = undefined;
    await stopAll();
    if (stopSignalAt === undefined) startAll();
  }
  restarting = false;
}

const watcher = watchJobModules(jobsIndex.WORKERS_DIR, (change) => void restartOnChange(change));

// One Ctrl-C can arrive twice: the terminal signals its whole foreground group, and `npm run`
// passes the signal on to its script (directly, when the script's shell execs node). Signals
// this close to the first are that same Ctrl-C; a later one forces.
const SAME_CTRL_C_MS = 1_000;

async function onSignal(signal) {
  if (stopSignalAt !== undefined) {
    if (Date.now() - stopSignalAt < SAME_CTRL_C_MS) return;
    forced = true;
    console.error('serve: stopping now; jobs still running come back through stalled recovery');
    for (const s of services) s.kill();
    return;
  }
  stopSignalAt = Date.now();
  watcher.close();
  console.error(`serve: ${signal}: draining running jobs (up to ${shutdownSeconds} s); Ctrl-C again stops at once`);
  const clean = await stopAll();
  if (!forced) console.error(clean ? 'serve: stopped' : 'serve: stopped; a process did not shut down cleanly (see its log above)');
  process.exit(clean ? 0 : 1);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, (s) => void onSignal(s));
startAll();
