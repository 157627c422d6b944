import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, QueueEvents, Worker as BullWorker } from 'bullmq';
import type { Redis } from 'ioredis';
import { Producer, QueueHandles } from '@bullpen/core';
import { DataProcessingWorker } from '@bullpen/jobs';
import { parse } from 'yaml';
import { freePort } from '../support/free-port';
import { startService, type ServiceProcess } from '../support/service-process';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../support/redis';
import { expectedLabels, probes, shortenRanges, splitSetOperators } from './promql-probes';

const ROOT = join(__dirname, '..', '..');
const RULES = join(ROOT, 'charts', 'bullpen', 'files', 'prometheus-rules.yaml');
const DASHBOARD = join(ROOT, 'charts', 'bullpen', 'files', 'grafana-dashboard.json');
const NAMESPACE = 'bullpen-e2e';
const API_TOKEN = 'observability-e2e-token-0123456789';
/** How long the test waits for Prometheus to hold every series the queries need. */
const DATA_DEADLINE_MS = 40_000;

/** What Grafana would put in for the dashboard's variables. */
const VARIABLES: Record<string, string> = {
  namespace: NAMESPACE,
  queue: 'critical|default|low',
  __rate_interval: '1m',
  __interval: '1s',
};

interface Query {
  /** Where it comes from: `dashboard: <panel> / <refId>` or `alert: <name>`. */
  source: string;
  expr: string;
  /** Dashboard queries must return series as written; alert expressions only through their probes. */
  mustReturnSeries: boolean;
}

interface Outcome {
  source: string;
  expr: string;
  problem?: string;
}

interface PromSeries {
  metric: Record<string, string>;
}

function substitute(expr: string): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => VARIABLES[name] ?? whole);
}

function dashboardQueries(): Query[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string; refId: string }> }> };
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ source: `dashboard: ${p.title} / ${t.refId}`, expr: substitute(t.expr), mustReturnSeries: true })));
}

/**
 * The rule file as the chart renders it for a release `bullpen` in NAMESPACE: the alerts on
 * missing data name namespace "bullpen", which templates/prometheusrule.yaml replaces.
 */
function rulesText(): string {
  return readFileSync(RULES, 'utf8').replaceAll('namespace="bullpen"', `namespace="${NAMESPACE}"`);
}

function alertQueries(): Query[] {
  const rules = parse(rulesText()) as { groups: Array<{ rules: Array<{ alert?: string; expr: string }> }> };
  return rules.groups.flatMap((g) => g.rules).map((r) => ({ source: `alert: ${r.alert}`, expr: r.expr, mustReturnSeries: false }));
}

/**
 * An alert on missing data returns nothing while all is well, so its probes read what it says is
 * missing: `absent(x)` becomes `(x)`, `absent_over_time(x[r])` becomes `last_over_time(x[r])`.
 */
function presenceOf(expr: string): string {
  return expr.replace(/\babsent_over_time\(/g, 'last_over_time(').replace(/\babsent\(/g, '(');
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`. */
async function terminate(child: ChildProcess, exited: Promise<unknown>, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([exited, killed]);
  clearTimeout(timer);
  await exited;
}

/** Polls `check` until it returns true or `deadlineMs` passes; resolves with the last answer. */
async function pollUntil(check: () => Promise<boolean>, deadlineMs: number, everyMs = 500): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Debian's `prometheus` on a loopback port with its own TSDB directory. */
class PrometheusServer {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  readonly output: string[] = [];
  url = '';

  constructor(private readonly dir: string) {}

  async start(config: object): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const configFile = join(this.dir, 'prometheus.yml');
    writeFileSync(configFile, JSON.stringify(config, null, 2)); // JSON is YAML
    const child = spawn('prometheus', [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(this.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', (chunk: string) => this.output.push(chunk));
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT'
        ? new Error('prometheus is not installed: run `apt-get install -y --no-install-recommends prometheus` (Debian) to get it')
        : err));
      child.once('exit', (code) => reject(new Error(`prometheus exited (${code}): ${this.output.join('')}`)));
    });
    failed.catch(() => {});
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const ready = pollUntil(async () => (await fetch(`${this.url}/-/ready`).catch(() => undefined))?.status === 200, 15_000, 100);
    if (!(await Promise.race([ready, failed]))) throw new Error(`prometheus not ready after 15 s: ${this.output.join('')}`);
  }

  async api<T>(path: string): Promise<{ status: string; data: T; error?: string }> {
    const res = await fetch(`${this.url}/api/v1/${path}`);
    return (await res.json()) as { status: string; data: T; error?: string };
  }

  async query(expr: string): Promise<{ series?: PromSeries[]; error?: string }> {
    const body = await this.api<{ result: PromSeries[] }>(`query?query=${encodeURIComponent(expr)}`);
    return body.status === 'success' ? { series: body.data.result } : { error: body.error ?? 'unknown error' };
  }

  async stop(): Promise<void> {
    if (this.child) await terminate(this.child, this.exited!);
  }
}

/** Evaluates a query and its probes; returns the problems found (empty when all is well). */
async function evaluate(prometheus: PrometheusServer, query: Query): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const leftover = /\$\w+/.exec(query.expr);
  if (leftover) return [{ source: query.source, expr: query.expr, problem: `variable ${leftover[0]} not substituted` }];
  const whole = await prometheus.query(shortenRanges(query.expr));
  if (whole.error) outcomes.push({ source: query.source, expr: query.expr, problem: `error: ${whole.error}` });
  else if (query.mustReturnSeries && whole.series!.length === 0) outcomes.push({ source: query.source, expr: query.expr, problem: 'no series' });
  for (const probe of probes(presenceOf(query.expr))) {
    const result = await prometheus.query(probe);
    const labels = expectedLabels(probe);
    const missing = result.series?.find((s) => labels.some((l) => !(l in s.metric)));
    const problem = result.error
      ? `error: ${result.error}`
      : result.series!.length === 0
        ? 'no series'
        : missing
          ? `series without label(s) ${labels.filter((l) => !(l in missing.metric)).join(', ')}: ${JSON.stringify(missing.metric)}`
          : undefined;
    if (problem) outcomes.push({ source: `${query.source} (probe)`, expr: probe, problem });
  }
  return outcomes;
}

describe('PromQL probes', () => {
  it('split set operators at depth 0 only, keeping on(...) out of the operands', () => {
    expect(splitSetOperators('a > 1 and on (namespace, queue) (b or c) unless d{x="and"}')).toEqual(['a > 1', '(b or c)', 'd{x="and"}']);
  });

  it('remove comparisons, expand nested set operators and shorten ranges', () => {
    expect(probes('(sum by (q) (rate(x[10m])) / (sum by (q) (rate(y[10m])) or z * 0)) > 0.05')).toEqual([
      'sum by (q) (rate(x[1m])) / (sum by (q) (rate(y[1m])))',
      'sum by (q) (rate(x[1m])) / (z * 0)',
    ]);
    expect(probes('sum by (n) (x unless x offset 20m) > 0')).toEqual(['sum by (n) (x)']);
    expect(probes('deriv(max by (q) (x)[15m:1m]) > 0')).toEqual(['deriv(max by (q) (x)[1m:1s])']);
  });

  it('probe what an absence alert says is missing', () => {
    expect(probes(presenceOf('absent(x{n="a"}) unless on (n) (max by (n) (y) == 0)'))).toEqual(['x{n="a"}', 'max by (n) (y)']);
    expect(probes(presenceOf('(time() - max by (n) (max_over_time(x[1h])) > 1500) or (absent_over_time(x{n="a"}[1h]) * 3600)'))).toEqual([
      'time() - max by (n) (max_over_time(x[1m]))',
      'last_over_time(x{n="a"}[1m]) * 3600',
    ]);
  });

  it('expect the labels of a depth-0 aggregation, or of histogram_quantile\'s inner one', () => {
    expect(expectedLabels('time() - max by (namespace) (max_over_time(x[1h]))')).toEqual(['namespace']);
    expect(expectedLabels('histogram_quantile(0.5, sum by (queue, le) (rate(x_bucket[1m])))')).toEqual(['queue']);
    expect(expectedLabels('count(count by (instance) (x))')).toEqual([]);
  });
});

describe('Grafana dashboard file', () => {
  interface Panel {
    id: number;
    type: string;
    title: string;
    datasource?: { uid: string };
    gridPos: { x: number; y: number; w: number; h: number };
    targets?: Array<{ datasource?: { uid: string }; expr: string }>;
  }

  it('has unique panel ids, fits the 24-column grid and queries through the datasource variable', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[] };
    expect(dashboard.uid).toBe('bullpen');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) {
      expect({ title: p.title, fits: p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24 && p.gridPos.h > 0 }).toEqual({ title: p.title, fits: true });
      if (p.type === 'row') continue;
      const uids = [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)];
      expect({ title: p.title, targets: (p.targets ?? []).length > 0, uids: uids.every((u) => u === '${datasource}') }).toEqual({ title: p.title, targets: true, uids: true });
    }
  });

  it('reads gauges with max by, never sum, so replicas exporting them do not double count', () => {
    const gauges = /bullpen_(queue_jobs|queue_paused|queue_oldest_waiting_seconds|redis_up)\b/;
    const queries = [...dashboardQueries(), ...alertQueries()];
    for (const { source, expr } of queries) {
      for (const m of expr.matchAll(/\b(sum|max|min|avg|count)\s+by\s*\([^)]*\)\s*\(\s*bullpen_(\w+)/g)) {
        if (gauges.test(`bullpen_${m[2]}`)) expect({ source, aggregation: m[1] }).toEqual({ source, aggregation: 'max' });
      }
      for (const m of expr.matchAll(/\b(sum|avg|count)\s*\(\s*bullpen_(\w+)/g)) {
        expect({ source, gauge: gauges.test(`bullpen_${m[2]}`) }).toEqual({ source, gauge: false });
      }
    }
  });
});

describe('dashboard and alert queries on a real Prometheus scraping api, worker and beat', () => {
  const prefix = uniquePrefix('prometheus');
  const services: ServiceProcess[] = [];
  // Created in beforeAll, so a run that filters these tests out opens nothing.
  let redis: Redis | undefined;
  let queues: QueueHandles | undefined;
  let queueEvents: QueueEvents | undefined;
  let dir: string | undefined;
  let prometheus!: PrometheusServer;
  let healthServer: Server | undefined;
  let results: { dashboard: Outcome[]; alerts: Outcome[]; rules: string[]; variables: string[] } | undefined;

  beforeAll(async () => {
    redis = testRedis();
    const jobs = (queues = new QueueHandles({ connection: redis, prefix }));
    const producer = new Producer({ queues: jobs });
    const events = (queueEvents = new QueueEvents('critical', { connection: { url: TEST_REDIS_URL }, prefix }));
    dir = mkdtempSync(join(tmpdir(), 'bullpen-prometheus-'));
    prometheus = new PrometheusServer(dir);

    // The API's health as the HealthCheckWorker sees it: failing until the test says otherwise.
    let apiHealthy = false;
    healthServer = createServer((_req, res) => res.writeHead(apiHealthy ? 200 : 503).end());
    await new Promise<void>((resolve) => healthServer!.listen(0, '127.0.0.1', resolve));
    const healthUrl = `http://127.0.0.1:${(healthServer.address() as AddressInfo).port}/healthz`;

    // A worker that died holding a job: take one with a 1 s lock and never renew it. The worker
    // process's stalled check then moves it back to wait (bullpen_jobs_stalled_total).
    await producer.enqueue(DataProcessingWorker, { userId: 1 });
    const crashedConnection = testRedis();
    const crashed = new BullWorker('default', null, { connection: crashedConnection, prefix, lockDuration: 1000, autorun: false });
    expect(await crashed.getNextJob('crashed-worker')).toBeDefined();
    await crashed.close();
    await crashedConnection.quit();

    const common = { REDIS_URL: TEST_REDIS_URL, BULLPEN_PREFIX: prefix, SHUTDOWN_TIMEOUT_SECONDS: '2' };
    const worker = startService('services/worker/src/main.ts', { ...common, METRICS_PORT: '0', WORKER_STALLED_CHECK_SECONDS: '1', API_HEALTH_URL: healthUrl });
    const beat = startService('services/beat/src/main.ts', { ...common, METRICS_PORT: '0' });
    const api = startService('services/api/src/main.ts', { ...common, PORT: '0', API_TOKENS: `e2e:${API_TOKEN}:admin` });
    services.push(worker, beat, api);
    const [workerPort, beatPort, apiPort] = await Promise.all([
      worker.waitForLog('worker started').then((l) => l.metricsPort as number),
      beat.waitForLog('beat started').then((l) => l.metricsPort as number),
      api.waitForLog('api started').then((l) => l.port as number),
    ]);
    // The API answers 503 until its Redis connection is up.
    await api.waitForLog('redis ready');

    const target = (port: number, pod: string) => ({ targets: [`127.0.0.1:${port}`], labels: { namespace: NAMESPACE, pod } });
    const rules = join(dir, 'prometheus-rules.yaml');
    writeFileSync(rules, rulesText());
    await prometheus.start({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: [rules],
      scrape_configs: [
        { job_name: 'bullpen-api', static_configs: [target(apiPort, 'bullpen-api-0')] },
        { job_name: 'bullpen-worker', static_configs: [target(workerPort, 'bullpen-worker-all-0')] },
        { job_name: 'bullpen-beat', static_configs: [target(beatPort, 'bullpen-beat-0')] },
      ],
    });

    // Jobs through the API (enqueued counter, HTTP metrics), some of them failing.
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const enqueue = async (worker: string, args?: unknown): Promise<string> => {
      const res = await fetch(`${apiUrl}/api/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ worker, args }),
      });
      expect(res.status).toBe(202);
      return ((await res.json()) as { id: string }).id;
    };
    await events.waitUntilReady();
    for (const records of [0, 10, 100, 1_000, 10_000, 50_000]) await enqueue('DataProcessingWorker', { userId: 2, records });
    // Args that fail the schema (a producer that skipped validation): failed for good at once.
    await jobs.get('default').add('DataProcessingWorker', { userId: -1 }, { attempts: 1 });
    // A health check while the API is unhealthy: retried once, then failed.
    const failing = await Job.fromId(jobs.get('critical'), await enqueue('HealthCheckWorker'));
    await expect(failing!.waitUntilFinished(events)).rejects.toThrow(/api unhealthy/);
    apiHealthy = true;
    const passing = await Job.fromId(jobs.get('critical'), await enqueue('HealthCheckWorker'));
    await expect(passing!.waitUntilFinished(events)).resolves.toMatchObject({ healthy: true });
    expect((await fetch(`${apiUrl}/api/queues/backlog`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).status).toBe(200);

    // Wait until Prometheus has scraped enough for every query, evaluated every rule, and the
    // dashboard variables resolve; on the deadline the tests below report what is missing.
    const queries = { dashboard: dashboardQueries(), alerts: alertQueries() };
    await pollUntil(async () => {
      const [dashboard, alerts] = await Promise.all([queries.dashboard, queries.alerts].map(async (qs) => (await Promise.all(qs.map((q) => evaluate(prometheus, q)))).flat()));
      results = { dashboard, alerts, rules: await ruleProblems(), variables: await variableProblems() };
      return dashboard.length + alerts.length + results.rules.length + results.variables.length === 0;
    }, DATA_DEADLINE_MS);
  }, 90_000);

  /** Rules Prometheus has not evaluated yet, or whose evaluation failed. */
  async function ruleProblems(): Promise<string[]> {
    const body = await prometheus.api<{ groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string; lastEvaluation: string }> }> }>('rules');
    const rules = body.data.groups.flatMap((g) => g.rules);
    if (rules.length === 0) return ['no rules loaded'];
    return rules
      .filter((r) => r.health !== 'ok' || r.lastEvaluation.startsWith('0001'))
      .map((r) => `${r.name}: ${r.health}${r.lastError ? ` (${r.lastError})` : ''}`);
  }

  /** Dashboard variables (`label_values(selector, label)`) that resolve to nothing, or miss a queue. */
  async function variableProblems(): Promise<string[]> {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { templating: { list: Array<{ name: string; type: string; query?: { query: string } }> } };
    const problems: string[] = [];
    const names = dashboard.templating.list.map((v) => v.name);
    if (names.join(',') !== 'datasource,namespace,queue') problems.push(`variables are ${names.join(',')}`);
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      const m = /^label_values\((.+),\s*(\w+)\)$/.exec(substitute(variable.query?.query ?? ''));
      if (!m) {
        problems.push(`${variable.name}: not a label_values() query`);
        continue;
      }
      const values = (await prometheus.api<string[]>(`label/${m[2]}/values?match[]=${encodeURIComponent(m[1])}`)).data ?? [];
      const wanted = variable.name === 'namespace' ? [NAMESPACE] : ['critical', 'default', 'low'];
      if (!wanted.every((w) => values.includes(w))) problems.push(`${variable.name}: ${JSON.stringify(values)} lacks ${JSON.stringify(wanted)}`);
    }
    return problems;
  }

  afterAll(async () => {
    await Promise.all(services.map((s) => terminate(s.child, s.exited)));
    await prometheus?.stop();
    await new Promise<void>((resolve) => (healthServer ? healthServer.close(() => resolve()) : resolve()));
    await queueEvents?.close();
    await queues?.close();
    if (redis) {
      await deletePrefix(redis, prefix);
      await redis.quit();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers every dashboard query with series that carry their by-labels', () => {
    expect(dashboardQueries().length).toBeGreaterThan(20);
    expect(results?.dashboard).toEqual([]);
  });

  it('evaluates every alert expression, each metric and label it reads returning series', () => {
    expect(alertQueries().length).toBeGreaterThanOrEqual(8);
    expect(results?.alerts).toEqual([]);
  });

  it('loads every alert rule and evaluates it without error', () => {
    expect(results?.rules).toEqual([]);
  });

  it('resolves the namespace and queue variables of the dashboard', () => {
    expect(results?.variables).toEqual([]);
  });
});
