import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { headingAnchors, markdownLinks } from './markdown';

const ROOT = join(__dirname, '..', '..');
const RULES = join(ROOT, 'charts', 'bullpen', 'files', 'prometheus-rules.yaml');

/** The docs a reader follows links through: the README, docs/, and each chart's and service's README. */
function docFiles(): string[] {
  const inDir = (dir: string, pick: (name: string) => boolean) =>
    existsSync(join(ROOT, dir)) ? readdirSync(join(ROOT, dir)).filter(pick).map((name) => join(dir, name)) : [];
  const readmes = (dir: string) => inDir(dir, () => true).map((d) => join(d, 'README.md')).filter((f) => existsSync(join(ROOT, f)));
  return ['README.md', 'k8s/README.md', ...inDir('docs', (n) => n.endsWith('.md')), ...readmes('charts'), ...readmes('services')];
}

const anchorsOf = new Map<string, Set<string>>();
function anchors(file: string): Set<string> {
  if (!anchorsOf.has(file)) anchorsOf.set(file, headingAnchors(readFileSync(file, 'utf8')));
  return anchorsOf.get(file)!;
}

/** Why `target`, written in a file of `dir`, leads nowhere; undefined when it resolves. */
function brokenBecause(dir: string, from: string, target: string): string | undefined {
  const [path, anchor] = target.split('#', 2);
  const file = path ? resolve(dir, decodeURIComponent(path)) : from;
  if (!existsSync(file)) return 'no such file';
  if (anchor === undefined || !file.endsWith('.md') || statSync(file).isDirectory()) return undefined;
  return anchors(file).has(decodeURIComponent(anchor)) ? undefined : `no heading with anchor #${anchor}`;
}

const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

describe('links in the docs', () => {
  it('finds the docs it checks', () => {
    expect(docFiles()).toEqual(expect.arrayContaining(['README.md', 'docs/operating.md', 'docs/monitoring.md', 'docs/runbooks.md', 'charts/bullpen/README.md', 'services/api/README.md']));
  });

  it('every relative link in README.md, docs/ and the charts and services READMEs reaches a file and heading that exist', () => {
    const broken = docFiles().flatMap((doc) => {
      const file = join(ROOT, doc);
      return markdownLinks(readFileSync(file, 'utf8'))
        .filter(({ target }) => !EXTERNAL.test(target))
        .map(({ line, target }) => ({ at: `${doc}:${line}`, target, why: brokenBecause(dirname(file), file, target) }))
        .filter(({ why }) => why);
    });
    expect(broken).toEqual([]);
  });

  it("every alert's runbook_url (relative to the repository root) reaches a runbook heading", () => {
    const groups = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string; annotations?: Record<string, string> }> }> }).groups;
    const alerts = groups.flatMap((g) => g.rules).filter((r) => r.alert);
    expect(alerts.length).toBeGreaterThan(0);
    const broken = alerts
      .map(({ alert, annotations }) => ({ alert, runbook: annotations?.runbook_url ?? '' }))
      .map((r) => ({ ...r, why: r.runbook.includes('#') ? brokenBecause(ROOT, RULES, r.runbook) : 'no #anchor' }))
      .filter(({ why }) => why);
    expect(broken).toEqual([]);
  });

  it('reads anchors and links the way GitHub renders them', () => {
    const md = [
      '# Runbook: BullpenRedisDown', '## Running `bullpen` inside the cluster, and its permissions', '## Notes', '## Notes',
      '```bash', '# not a heading [x](nowhere.md)', '```', 'See [a](#notes-1) and `[b](code.md)`.',
    ].join('\n');
    expect([...headingAnchors(md)]).toEqual(['runbook-bullpenredisdown', 'running-bullpen-inside-the-cluster-and-its-permissions', 'notes', 'notes-1']);
    expect(markdownLinks(md)).toEqual([{ line: 8, target: '#notes-1' }]);
  });

  it('reports a link to a missing file or heading', () => {
    const dir = join(ROOT, 'docs');
    const from = join(dir, 'runbooks.md');
    expect(brokenBecause(dir, from, 'no-such-file.md')).toBe('no such file');
    expect(brokenBecause(dir, from, '#runbook-nosuchalert')).toBe('no heading with anchor #runbook-nosuchalert');
    expect(brokenBecause(dir, from, 'monitoring.md#alerts')).toBeUndefined();
  });
});
