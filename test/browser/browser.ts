/**
 * Chromium for the browser tests: Debian's chromium driven by playwright-core (architecture.md).
 * Never `npx playwright install`; point CHROMIUM_PATH elsewhere if chromium is not at
 * /usr/bin/chromium.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export interface TestBrowser {
  context: BrowserContext;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

/** Launches headless Chromium with a throw-away profile, sized like a 1366px laptop. */
export async function launchBrowser(): Promise<TestBrowser> {
  const profileDir = await mkdtemp(path.join(tmpdir(), 'shelfshare-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // Playwright refuses --user-data-dir in args; the profile dir is the first argument.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1366, height: 768 },
    locale: 'en-GB',
    // No transitions: a step waits for the page, not for an animation on a loaded machine.
    reducedMotion: 'reduce',
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

/** One axe violation, trimmed to what a failing test needs to show. */
export interface AccessibilityViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string; html: string; failureSummary: string }[];
}

let axeSource: string | undefined;

async function loadAxeSource(): Promise<string> {
  if (axeSource === undefined) {
    const require = createRequire(import.meta.url);
    const axeDir = path.dirname(require.resolve('axe-core/package.json'));
    axeSource = await readFile(path.join(axeDir, 'axe.min.js'), 'utf8');
  }
  return axeSource;
}

/**
 * Runs axe-core's WCAG 2.1 A and AA rules on the page as it is now and returns the serious
 * and critical violations (an empty array when the page passes).
 */
export async function checkAccessibility(page: Page): Promise<AccessibilityViolation[]> {
  const alreadyLoaded = await page.evaluate(() => 'axe' in window);
  if (!alreadyLoaded) await page.addScriptTag({ content: await loadAxeSource() });
  const violations = await page.evaluate(async () => {
    interface AxeResult {
      id: string;
      impact?: string | null;
      help: string;
      helpUrl: string;
      nodes: { target: unknown[]; html: string; failureSummary?: string }[];
    }
    const axe = (
      window as unknown as {
        axe: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeResult[] }> };
      }
    ).axe;
    const results = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map(String).join(' '),
        html: n.html,
        failureSummary: n.failureSummary ?? '',
      })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A readable summary of violations for a failing assertion. */
export function describeViolations(violations: AccessibilityViolation[]): string {
  return violations
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes
          .map((n) => `  - ${n.target}: ${n.html}\n    ${n.failureSummary.replace(/\n/g, '\n    ')}`)
          .join('\n'),
    )
    .join('\n');
}
