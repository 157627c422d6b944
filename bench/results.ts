import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface Result {
  value: number;
  unit: string;
  /** What the baseline is, and its value in the same unit, measured in the same run. */
  baseline: { name: string; value: number };
  /** value / baseline, so > 1 means more of `unit` than the baseline. */
  ratio: number;
}

const FILE = join(__dirname, 'results.json');

/** Merges `results` into bench/results.json (one file for every bench script) and prints them. */
export function record(results: Record<string, Omit<Result, 'ratio'>>): void {
  const all: Record<string, unknown> = existsSync(FILE) ? JSON.parse(readFileSync(FILE, 'utf8')) : {};
  for (const [name, r] of Object.entries(results)) {
    all[name] = { ...r, ratio: round(r.value / r.baseline.value) };
  }
  all._machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, at: new Date().toISOString() };
  writeFileSync(FILE, JSON.stringify(all, null, 2) + '\n');
  printTable(Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { ...r, ratio: round(r.value / r.baseline.value) }])));
}

export function printTable(results: Record<string, Result>): void {
  const rows = Object.entries(results).map(([name, r]) => [name, `${round(r.value)} ${r.unit}`, `${round(r.baseline.value)} (${r.baseline.name})`, String(r.ratio)]);
  const header = ['benchmark', 'measured', 'baseline', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

export function round(n: number): number {
  return Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 1000) / 1000;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}
