import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (CI: `apt-get install -y chromium`); never a browser downloaded by playwright. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A browser context that talks only to `origins` (Bull Board links web fonts; tests stay offline). */
export async function offlineContext(browser: Browser, origins: readonly string[], options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...options });
  ctx.setDefaultTimeout(10_000);
  await ctx.route((url) => !origins.includes(url.origin), (route) => route.abort());
  return ctx;
}

/** The page's Content-Security-Policy violations (`securitypolicyviolation` events, via its console), as they happen. */
export async function cspViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  const tag = 'csp violation: ';
  page.on('console', (message) => {
    if (message.text().startsWith(tag)) violations.push(message.text().slice(tag.length));
  });
  // A string, not a function: the tests' lib has no DOM types, and transpiled functions may reference helpers the page lacks.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => console.error(${JSON.stringify(tag)} + e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' in ' + e.documentURI));`,
  });
  return violations;
}
