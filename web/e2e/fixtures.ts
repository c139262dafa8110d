// The specs' `test`: Playwright's, with browser windows that fail the test on any request to a
// host other than this machine and on any error in the page (a refusal of the
// Content-Security-Policy is one), an owner account per worker, and the helpers that check a
// page with axe-core and find things on it as a person does (by role, label and text).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test as base, expect, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { email, fixture, signUpVerified } from './api';

/** What a window did that a test must not let pass. */
export interface Watch {
  /** Requests to other hosts, aborted. */
  offHost: string[];
  /** Uncaught errors and console errors. */
  problems: string[];
}

const watches = new WeakMap<BrowserContext, Watch>();

/** What page's window recorded. */
export function watchOf(page: Page): Watch {
  return watches.get(page.context())!;
}

async function watch(context: BrowserContext): Promise<Watch> {
  const w: Watch = { offHost: [], problems: [] };
  watches.set(context, w);
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]') return route.continue();
    w.offHost.push(u.href);
    return route.abort();
  });
  context.on('page', (page) => {
    page.on('pageerror', (e) => w.problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') w.problems.push(`console: ${m.text()}`); });
  });
  return w;
}

/** An account with a verified email: the inviter of most specs. */
export interface Owner {
  email: string;
  name: string;
  token: string;
}

interface Fixtures {
  /** A new browser window (its own storage), signed in with token when given. */
  open: (options?: { token?: string; width?: number }) => Promise<Page>;
}

export const test = base.extend<Fixtures, { owner: Owner }>({
  baseURL: async ({}, use) => use(fixture.base),
  // Playwright's own page is watched too.
  context: async ({ context }, use) => {
    const w = await watch(context);
    await use(context);
    expect(w.offHost, 'requests to other hosts').toEqual([]);
    expect(w.problems, 'errors in the page').toEqual([]);
  },
  open: async ({ browser }, use) => {
    const opened: { context: BrowserContext; w: Watch }[] = [];
    await use(async ({ token, width = 1280 } = {}) => {
      const context = await browser.newContext({ baseURL: fixture.base, viewport: { width, height: 900 } });
      opened.push({ context, w: await watch(context) });
      if (token) {
        // Every document runs it, the first about:blank too, which has no storage.
        await context.addInitScript((t) => { if (window.location.protocol.startsWith('http')) window.localStorage.setItem('invites.session', t); }, token);
      }
      return context.newPage();
    });
    for (const { context, w } of opened) {
      expect(w.offHost, 'requests to other hosts').toEqual([]);
      expect(w.problems, 'errors in the page').toEqual([]);
      await context.close();
    }
  },
  owner: [async ({}, use) => {
    const owner = { email: email('owner'), name: 'Olga Owner' };
    await use({ ...owner, token: await signUpVerified(owner.email, owner.name) });
  }, { scope: 'worker' }],
});

export { expect };

/** The page's heading of exactly this name. */
export const heading = (page: Page, name: string): Locator => page.getByRole('heading', { name, exact: true });

/** The facts a page lists (<dl>): each term's definition, by the term. */
export async function facts(page: Page): Promise<Record<string, string>> {
  const terms = await page.getByRole('term').allInnerTexts();
  const definitions = await page.getByRole('definition').allInnerTexts();
  return Object.fromEntries(terms.map((t, i) => [t, definitions[i] ?? '']));
}

/** The page's main content, without the header. */
export const main = (page: Page): Locator => page.getByRole('main');

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Fails the test when axe-core finds a serious or critical accessibility violation on the page. */
export async function axeCheck(page: Page, what: string): Promise<void> {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad, `${what}: axe found serious or critical violations`).toEqual([]);
}

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Saves the page at 1280×800 and 390×844 (full length) under WEB_SCREENSHOTS, when it is set (make screenshots). */
export async function shoot(page: Page, name: string): Promise<void> {
  const dir = process.env.WEB_SCREENSHOTS;
  if (!dir) return;
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    await page.screenshot({ path: `${dir}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Checks the page with axe-core at a phone's width too. */
export async function axeCheckNarrow(page: Page, what: string): Promise<void> {
  await axeCheck(page, what);
  await page.setViewportSize({ width: 390, height: 844 });
  await axeCheck(page, `${what}, 390 px wide`);
  await page.setViewportSize({ width: 1280, height: 900 });
}
