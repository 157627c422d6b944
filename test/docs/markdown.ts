/** What the link checks need of a Markdown file: its heading anchors and its links, as GitHub renders them. */

/** Fenced code blocks hold `# comment` lines and `[x](y)` text that are neither headings nor links. */
const FENCE = /^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm;

/** Blanks fenced code, keeping the line count so line numbers stay right. */
const withoutFences = (markdown: string): string => markdown.replace(FENCE, (block) => block.replace(/[^\n]/g, ''));

/** GitHub's anchor for a heading: lower case, punctuation dropped (bar '-' and '_'), each space a '-'. */
export function githubAnchor(title: string): string {
  return title.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor the file's headings give, with GitHub's `-1`, `-2` suffixes for repeated titles. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, title] of withoutFences(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const base = githubAnchor(title);
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n += 1) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

export interface MarkdownLink {
  line: number;
  target: string;
}

/** Inline links `[text](target)` outside code; inline code is blanked so `` `a](b)` `` is not one. */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const lines = withoutFences(markdown).split('\n');
  return lines.flatMap((text, i) =>
    [...text.replace(/`[^`]*`/g, '``').matchAll(/\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g)].map(([, target]) => ({ line: i + 1, target })));
}
