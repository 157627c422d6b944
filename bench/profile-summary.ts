// Self time of V8 CPU profiles (.cpuprofile, as BENCH_CPU_PROF_DIR writes them), per job:
// where a side's CPU goes, and with `--vs` how much more (or less) than another side's.
//
//   node --import tsx bench/profile-summary.ts --jobs=20000 dir/worker-throughput-bullpen-r*.cpuprofile \
//     --vs dir/worker-throughput-raw-r*.cpuprofile
//
// --jobs  jobs (or requests) each profile covers (default 20000, worker-throughput's BENCH_JOBS)
// --vs-jobs  the same for the --vs side, when it differs (an HTTP bench's sides serve unequal counts)
// --top   rows per table (default 25)
// Tables: by package or source file, then by function. Times are sampled, so rows under about
// 0.2 µs/job are noise; "(idle)" is time the thread waited and is left out of the totals.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = join(__dirname, '..');
/** Pseudo-frames V8 reports with no script. */
const META = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

/** Where a frame's code lives: an npm package, a file of this repository, a Node internal, or a V8 pseudo-frame. */
function place(url: string, functionName: string): { pkg: string; file: string } {
  if (!url) return META.has(functionName) ? { pkg: functionName, file: functionName } : { pkg: '(native)', file: '(native)' };
  if (url.startsWith('node:')) return { pkg: 'node', file: url };
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length);
    const parts = rest.split('/');
    const pkg = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    return { pkg, file: rest };
  }
  const file = relative(ROOT, path);
  const service = /^services\/(\w+)\//.exec(file);
  return { pkg: service ? `@bullpen/${service[1]}` : file.split('/')[0], file };
}

/** Self time in µs per key, summed over `files`. */
function selfTimes(files: string[], key: (node: ProfileNode) => string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const keyOf = new Map<number, string>();
    // A sample's time is the gap to the next sample (the last one has none).
    for (let i = 0; i < profile.samples.length - 1; i++) {
      const id = profile.samples[i];
      let k = keyOf.get(id);
      if (k === undefined) keyOf.set(id, (k = key(byId.get(id)!)));
      totals.set(k, (totals.get(k) ?? 0) + profile.timeDeltas[i + 1]);
    }
  }
  return totals;
}

function table(title: string, a: Map<string, number>, b: Map<string, number> | undefined, jobsA: number, jobsB: number, top: number): void {
  const perJob = (m: Map<string, number> | undefined, k: string, jobs: number) => (m?.get(k) ?? 0) / jobs;
  const keys = [...new Set([...a.keys(), ...(b?.keys() ?? [])])].filter((k) => k !== '(idle)');
  const rank = (k: string) => (b ? perJob(a, k, jobsA) - perJob(b, k, jobsB) : perJob(a, k, jobsA));
  keys.sort((x, y) => Math.abs(rank(y)) - Math.abs(rank(x)));
  const sum = (m: Map<string, number>, jobs: number) => keys.reduce((s, k) => s + perJob(m, k, jobs), 0);
  console.log(`\n${title} (µs per job, self time${b ? '; sorted by the difference' : ''})`);
  console.log(b ? `${'A'.padStart(8)} ${'B'.padStart(8)} ${'A-B'.padStart(8)}  where` : `${'A'.padStart(8)}  where`);
  const row = (k: string) => {
    const cells = [perJob(a, k, jobsA)];
    if (b) cells.push(perJob(b, k, jobsB), perJob(a, k, jobsA) - perJob(b, k, jobsB));
    console.log(`${cells.map((c) => c.toFixed(2).padStart(8)).join(' ')}  ${k}`);
  };
  keys.slice(0, top).forEach(row);
  const totals = [sum(a, jobsA)];
  if (b) totals.push(sum(b, jobsB), sum(a, jobsA) - sum(b, jobsB));
  console.log(`${totals.map((c) => c.toFixed(2).padStart(8)).join(' ')}  total on the main thread (idle left out)`);
}

function main(): void {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const jobs = flag('jobs', 20_000);
  const vsJobs = flag('vs-jobs', jobs);
  const top = flag('top', 25);
  const files = args.filter((a) => !a.startsWith('--'));
  const vsAt = args.indexOf('--vs');
  const a = vsAt >= 0 ? files.filter((f) => args.indexOf(f) < vsAt) : files;
  const b = vsAt >= 0 ? files.filter((f) => args.indexOf(f) > vsAt) : [];
  if (a.length === 0) throw new Error('usage: profile-summary.ts [--jobs=N] [--top=N] A.cpuprofile... [--vs B.cpuprofile...]');
  console.log(`A: ${a.length} profile(s) × ${jobs} jobs${b.length ? `; B: ${b.length} profile(s) × ${vsJobs} jobs` : ''}`);
  const jobsA = jobs * a.length;
  const jobsB = vsJobs * b.length;
  const byPackage = (n: ProfileNode) => place(n.callFrame.url, n.callFrame.functionName).pkg;
  const byFile = (n: ProfileNode) => place(n.callFrame.url, n.callFrame.functionName).file;
  const byFunction = (n: ProfileNode) => {
    const { pkg, file } = place(n.callFrame.url, n.callFrame.functionName);
    if (META.has(n.callFrame.functionName)) return file;
    // tsx and the build minify whitespace, so this repository's line numbers say nothing.
    const line = pkg.startsWith('@bullpen/') || pkg === 'bench' || pkg === '(native)' ? '' : `:${n.callFrame.lineNumber + 1}`;
    return `${n.callFrame.functionName || '(anonymous)'}  ${file}${line}`;
  };
  const sides = (key: (n: ProfileNode) => string) => [selfTimes(a, key), b.length ? selfTimes(b, key) : undefined] as const;
  table('by package', ...sides(byPackage), jobsA, jobsB, top);
  table('by file', ...sides(byFile), jobsA, jobsB, top);
  table('by function', ...sides(byFunction), jobsA, jobsB, top);
}

main();
