/**
 * Turns a PromQL expression into "probes": the sub-expressions that must return series when the
 * metrics it reads exist, whatever their values. An alert expression is legitimately empty while
 * nothing is wrong (`backlog > 1000`), so it is checked through its probes: comparisons with a
 * number are removed, each operand of `and` / `or` / `unless` becomes its own probe (also inside
 * parentheses, so `(completed or failed * 0)` checks `completed` too), and ranges, subqueries
 * and offsets are shortened to fit the minute of data a test's Prometheus holds.
 *
 * It understands the subset of PromQL the dashboard and the rules use, not all of PromQL.
 */

const SET_OP = /^(and|or|unless)\b\s*(?:(?:on|ignoring)\s*\([^)]*\)\s*)?/;
const COMPARISON_AT_END = /(==|!=|>=|<=|>|<)\s*(?:bool\s+)?-?\d[\d.eE+-]*\s*$/;
const AGGREGATION_BY = /\b(?:sum|min|max|avg|count|group|stddev|stdvar)\s+by\s*\(([^)]*)\)/g;

/** Paren depth before each character, with strings and label matchers `{...}` masked out. */
function depths(expr: string): { depth: number[]; masked: boolean[] } {
  const depth: number[] = [];
  const masked: boolean[] = [];
  let d = 0;
  let quote: string | undefined;
  let braces = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    depth.push(d);
    masked.push(quote !== undefined || braces > 0 || c === '"' || c === "'" || c === '{' || c === '}');
    if (quote) {
      if (c === '\\') {
        i++;
        depth.push(d);
        masked.push(true);
      } else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{') braces++;
    else if (c === '}') braces--;
    else if (braces === 0 && (c === '(' || c === '[')) d++;
    else if (braces === 0 && (c === ')' || c === ']')) d--;
  }
  return { depth, masked };
}

/** Index of the parenthesis closing the one at `open`. */
function closing(expr: string, open: number): number {
  const { depth, masked } = depths(expr);
  for (let i = open + 1; i < expr.length; i++) if (!masked[i] && expr[i] === ')' && depth[i] === depth[open] + 1) return i;
  throw new Error(`unbalanced parentheses in: ${expr}`);
}

function stripOuterParens(expr: string): string {
  let e = expr.trim();
  while (e.startsWith('(') && closing(e, 0) === e.length - 1) e = e.slice(1, -1).trim();
  return e;
}

/** The operands of `and` / `or` / `unless` at paren depth 0; one element when there is none. */
export function splitSetOperators(expr: string): string[] {
  const { depth, masked } = depths(expr);
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    if (depth[i] !== 0 || masked[i] || (i > 0 && /\w/.test(expr[i - 1]))) continue;
    const m = SET_OP.exec(expr.slice(i));
    if (!m) continue;
    parts.push(expr.slice(start, i).trim());
    start = i + m[0].length;
    i = start - 1;
  }
  parts.push(expr.slice(start).trim());
  return parts;
}

/** `x > 5` -> `x`; undefined when the expression does not end in a depth-0 comparison with a number. */
function stripComparison(expr: string): string | undefined {
  const m = COMPARISON_AT_END.exec(expr);
  if (!m) return undefined;
  const { depth, masked } = depths(expr);
  return depth[m.index] === 0 && !masked[m.index] ? expr.slice(0, m.index).trim() : undefined;
}

/** Shortens ranges to 1m, subqueries to [1m:1s] and drops offsets. */
export function shortenRanges(expr: string): string {
  return expr
    .replace(/\[\s*\d+[smhdwy]\s*:\s*(\d+[smhdwy])?\s*\]/g, '[1m:1s]')
    .replace(/\[\s*\d+[smhdwy]\s*\]/g, '[1m]')
    .replace(/\s+offset\s+-?\d+[smhdwy]/g, '');
}

/** See the file comment. Every probe is unique and has its ranges shortened. */
export function probes(expr: string): string[] {
  const out = new Set<string>();
  const visit = (e: string): void => {
    e = stripOuterParens(e);
    const operands = splitSetOperators(e);
    if (operands.length > 1) return operands.forEach(visit);
    const uncompared = stripComparison(e);
    if (uncompared !== undefined) return visit(uncompared);
    // A parenthesised group with a set operator inside: one probe per operand, in place.
    const { masked } = depths(e);
    for (let i = 0; i < e.length; i++) {
      if (e[i] !== '(' || masked[i]) continue;
      const end = closing(e, i);
      const inner = splitSetOperators(e.slice(i + 1, end));
      if (inner.length > 1) return inner.forEach((operand) => visit(`${e.slice(0, i)}(${operand})${e.slice(end + 1)}`));
    }
    out.add(shortenRanges(e));
  };
  visit(expr);
  return [...out];
}

/**
 * Labels every series of a probe must carry: those of the `by (...)` of an aggregation at paren
 * depth 0 (`sum by (queue) (...) / ...`), or inside a leading `histogram_quantile(` (minus `le`).
 */
export function expectedLabels(expr: string): string[] {
  const e = stripOuterParens(expr);
  const { depth } = depths(e);
  const wanted = e.startsWith('histogram_quantile(') ? 1 : 0;
  const labels = new Set<string>();
  for (const m of e.matchAll(AGGREGATION_BY)) {
    if (depth[m.index] !== wanted) continue;
    for (const label of m[1].split(',').map((l) => l.trim()).filter(Boolean)) if (label !== 'le') labels.add(label);
  }
  return [...labels].sort();
}
