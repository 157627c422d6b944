// `helm test`: enqueue one job through the API and wait until a worker has completed it.
// Runs with `node -e` in the API image (Node's own fetch), so the test needs no extra image.
// Env: API_URL, API_TOKEN (a client token), TIMEOUT_SECONDS.
const base = process.env.API_URL;
const headers = { authorization: `Bearer ${process.env.API_TOKEN}`, 'content-type': 'application/json' };
const deadline = Date.now() + Number(process.env.TIMEOUT_SECONDS || 120) * 1000;

async function call(method, path, body) {
  const res = await fetch(base + path, { method, headers, body: body && JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

async function main() {
  const job = await call('POST', '/api/jobs', { worker: 'DataProcessingWorker', args: { userId: 1, format: 'json', records: 10 } });
  console.log(`enqueued job ${job.id} on the ${job.queue} queue`);
  for (;;) {
    const status = await call('GET', `/api/jobs/${encodeURIComponent(job.id)}`);
    if (status.state === 'completed') return console.log(`job ${job.id} completed`);
    if (status.state === 'failed') throw new Error(`job ${job.id} failed: ${JSON.stringify(status.error)}`);
    if (Date.now() > deadline) throw new Error(`job ${job.id} still ${status.state} after ${process.env.TIMEOUT_SECONDS}s: are the workers running?`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

main().catch((err) => {
  console.error(`smoke test failed: ${err.message}`);
  process.exit(1);
});
