import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApi, loadApiConfig } from '@bullpen/api';
import { createBeatService, loadBeatConfig } from '@bullpen/beat';
import { createLogger, type MetricsRegistry } from '@bullpen/core';
import { discoverWorkers } from '@bullpen/jobs/discover';
import { createWorkerService, loadWorkerConfig } from '@bullpen/worker';
import { deletePrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from '../support/redis';

const ROOT = join(__dirname, '..', '..');

interface MetricRow {
  type: string;
  labels: string[];
  exportedBy: string[];
}

/** The table of docs/metrics.md: the project's copy of the metric contract. */
function documentedMetrics(): Map<string, MetricRow> {
  const rows = new Map<string, MetricRow>();
  const text = readFileSync(join(ROOT, 'docs', 'metrics.md'), 'utf8');
  for (const line of text.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    const name = /^`([a-z_:]+)`$/.exec(cells[0] ?? '')?.[1];
    if (!name || cells.length < 4) continue;
    const list = (cell: string) => [...cell.matchAll(/`?([a-z_]+)`?/g)].map((m) => m[1]).sort();
    rows.set(name, { type: cells[1], labels: list(cells[2]), exportedBy: list(cells[3]) });
  }
  return rows;
}

interface ExportedMetric {
  type: string;
  labels: string[];
  /** The exposition has a sample of it (not only `# HELP` and `# TYPE`). */
  sampled: boolean;
}

/**
 * Bullpen's own metrics (`bullpen_*`, `http_*`; prom-client's process_* and nodejs_* left out)
 * in a Prometheus text exposition: name and type from `# TYPE`, labels from the samples, or from
 * `knownLabels` for a metric that has no sample yet (a counter nothing has incremented).
 */
function parseExposition(text: string, knownLabels: Map<string, string[]>): Map<string, ExportedMetric> {
  const out = new Map<string, ExportedMetric>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (!/^(bullpen_|http_)/.test(name)) continue;
    const labels = new Set<string>();
    const samples = [...text.matchAll(new RegExp(`^${name}(?:_bucket|_sum|_count)?(?:\\{([^}]*)\\})? `, 'gm'))];
    for (const [, labelText = ''] of samples) {
      for (const [, label] of labelText.matchAll(/([a-zA-Z_]\w*)="/g)) if (label !== 'le') labels.add(label);
    }
    if (labels.size === 0) for (const label of knownLabels.get(name) ?? []) labels.add(label);
    out.set(name, { type, labels: [...labels].sort(), sampled: samples.length > 0 });
  }
  return out;
}

/** Label names as the processes' registries declare them. */
function declaredLabels(registers: readonly MetricsRegistry[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const metric of registers.flatMap((r) => r.getMetricsAsArray())) {
    const { name, labelNames } = metric as unknown as { name: string; labelNames: readonly string[] };
    out.set(name, [...labelNames]);
  }
  return out;
}

describe('metric names', () => {
  const prefix = uniquePrefix('metric-names');
  const env = { REDIS_URL: TEST_REDIS_URL, BULLPEN_PREFIX: prefix, METRICS_PORT: '0', PORT: '0', LOG_LEVEL: 'silent', API_ID_SECRET: 'metric-names-id-secret-0123456789abcdef' };
  const exports = new Map<string, Map<string, ExportedMetric>>();
  let processes: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    // The three processes as their main.ts builds them, on ephemeral ports under a unique prefix.
    const logger = createLogger('test', 'silent');
    const registry = discoverWorkers();
    const api = createApi({ config: loadApiConfig(env), registry, logger });
    const worker = createWorkerService({ config: loadWorkerConfig(env), registry, logger });
    const beat = createBeatService({ config: loadBeatConfig(env), registry, logger });
    processes = [api, worker, beat];
    const [apiPort, workerPort, beatPort] = await Promise.all([
      api.start().then((r) => r.port),
      worker.start().then((r) => r.metricsPort),
      beat.start().then((r) => r.metricsPort),
    ]);
    const scrape = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    await scrape(apiPort); // the API records this request, so the next scrape shows http_request_duration_seconds samples
    const labels = declaredLabels([api.register, worker.register, beat.register]);
    exports.set('api', parseExposition(await scrape(apiPort), labels));
    exports.set('worker', parseExposition(await scrape(workerPort), labels));
    exports.set('beat', parseExposition(await scrape(beatPort), labels));
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.close()));
    const redis = testRedis();
    await deletePrefix(redis, prefix);
    await redis.quit();
  });

  it('exports exactly the metrics docs/metrics.md lists, with their types and labels', () => {
    const documented = documentedMetrics();
    expect(documented.size).toBeGreaterThan(10);
    const union = new Map<string, ExportedMetric>();
    for (const metrics of exports.values()) for (const [name, m] of metrics) union.set(name, m);

    expect([...union.keys()].sort()).toEqual([...documented.keys()].sort());
    for (const [name, row] of documented) {
      const { type, labels } = union.get(name)!;
      expect({ name, type, labels }).toEqual({ name, type: row.type, labels: row.labels });
    }
  });

  it('has samples only of the metrics docs/metrics.md says the process exports', () => {
    const documented = documentedMetrics();
    for (const [process, metrics] of exports) {
      const sampled = [...metrics].filter(([, m]) => m.sampled).map(([name]) => name);
      expect(sampled.length).toBeGreaterThan(0);
      for (const name of sampled) expect({ process, name, documented: documented.get(name)?.exportedBy.includes(process) }).toEqual({ process, name, documented: true });
    }
  });
});
