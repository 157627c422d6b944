import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { find, render } from '../../charts/test/helm';
import { headingAnchors } from '../docs/markdown';

const ROOT = join(__dirname, '..', '..');
const RULES = join(ROOT, 'charts', 'bullpen', 'files', 'prometheus-rules.yaml');
const RULE_TESTS = join(__dirname, 'prometheus-rules.test.yaml');
const RUNBOOKS = join(ROOT, 'docs', 'runbooks.md');

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

interface RuleTest {
  name: string;
  alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }>;
}

const alertRules = (): AlertRule[] =>
  (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: AlertRule[] }> }).groups.flatMap((g) => g.rules).filter((r) => r.alert);

/** Runs promtool; a missing binary fails with the install command. */
async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)('promtool', args, { cwd: ROOT });
    return stdout + stderr;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('promtool is not installed: run `apt-get install -y --no-install-recommends prometheus` (Debian) to get it', { cause: err });
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: err });
  }
}

describe('alert rules (charts/bullpen/files/prometheus-rules.yaml)', () => {
  it('pass `promtool check rules`', async () => {
    const out = await promtool('check', 'rules', RULES);
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('pass their unit tests with `promtool test rules`', async () => {
    const out = await promtool('test', 'rules', RULE_TESTS);
    expect(out).toContain('SUCCESS');
  });

  it('have unit tests that fire and that stay quiet for every alert', () => {
    const tests = (parse(readFileSync(RULE_TESTS, 'utf8')) as { tests: RuleTest[] }).tests;
    const cases = tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const { alert } of alertRules()) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect({ alert, fires: mine.some((c) => (c.exp_alerts ?? []).length > 0), quiet: mine.some((c) => (c.exp_alerts ?? []).length === 0) })
        .toEqual({ alert, fires: true, quiet: true });
    }
  });

  it('give every alert a for, a severity, a summary and a runbook in docs/runbooks.md', () => {
    const anchors = headingAnchors(readFileSync(RUNBOOKS, 'utf8'));
    const rules = alertRules();
    expect(rules.length).toBeGreaterThanOrEqual(8);
    for (const rule of rules) {
      const anchor = `runbook-${rule.alert.toLowerCase()}`;
      expect({
        alert: rule.alert,
        for: /^\d+[smh]$/.test(rule.for ?? ''),
        severity: ['warning', 'critical'].includes(rule.labels?.severity ?? ''),
        summary: (rule.annotations?.summary ?? '').length > 0,
        runbook: rule.annotations?.runbook_url,
        anchorInDoc: anchors.has(anchor),
      }).toEqual({ alert: rule.alert, for: true, severity: true, summary: true, runbook: `docs/runbooks.md#${anchor}`, anchorInDoc: true });
    }
  });
});

describe("the chart's PrometheusRule", () => {
  /** The rule file as the chart renders it for a release named acme in namespace shop-prod. */
  const spec = (): { groups: RuleGroup[] } =>
    find(render({ namespace: 'shop-prod', values: { fullnameOverride: 'acme', monitoring: { prometheusRule: { enabled: true } } } }), 'PrometheusRule', 'acme').spec;
  const NAMESPACED = 'bullpen-namespace';

  it("is the rule file, with the release's namespace and pods in the alerts on missing data", () => {
    const file = parse(readFileSync(RULES, 'utf8')) as { groups: RuleGroup[] };
    const rendered = spec();
    expect(rendered.groups.map((g) => g.name)).toEqual(file.groups.map((g) => g.name));
    expect(rendered.groups.filter((g) => g.name !== NAMESPACED)).toEqual(file.groups.filter((g) => g.name !== NAMESPACED));
    const exprs = Object.fromEntries(rendered.groups.find((g) => g.name === NAMESPACED)!.rules.map((r) => [r.alert, r.expr]));
    expect(exprs.BullpenWorkerMetricsAbsent).toContain('absent(bullpen_worker_concurrency{namespace="shop-prod"})');
    expect(exprs.BullpenApiMetricsAbsent).toContain('{namespace="shop-prod", pod=~"acme-api-.+"}');
    expect(exprs.BullpenBeatMetricsAbsent).toContain('{namespace="shop-prod", pod=~"acme-beat-.+"}');
    expect(exprs.BullpenHealthCheckStale).toContain('absent_over_time(bullpen_health_check_last_success_timestamp_seconds{namespace="shop-prod"}[1h])');
    for (const [alert, expr] of Object.entries(exprs)) expect({ alert, leftover: /namespace="bullpen"|"bullpen-/.test(expr) }).toEqual({ alert, leftover: false });
  });

  it('passes `promtool check rules` as rendered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bullpen-rules-'));
    try {
      writeFileSync(join(dir, 'rules.yaml'), JSON.stringify(spec())); // JSON is YAML
      expect(await promtool('check', 'rules', join(dir, 'rules.yaml'))).toMatch(/SUCCESS: \d+ rules found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
