// The checks every spec relies on: a request to another host, and a refusal of the app's
// Content-Security-Policy, are caught.
import { expect, heading, test, watchOf } from './fixtures';

test('a request to another host and a refusal of the policy are caught', async ({ open }) => {
  const page = await open();
  const res = await page.goto('/');
  expect(res?.headers()['content-security-policy']?.startsWith("default-src 'self'"), 'the app is served with its policy').toBe(true);
  await expect(heading(page, 'Invites')).toBeVisible();
  const w = watchOf(page);
  // The page's policy refuses a connection to another host before it leaves the browser.
  await page.evaluate(() => fetch('http://192.0.2.1/data').catch(() => null));
  await expect.poll(() => w.problems.some((p) => p.includes('Content Security Policy')), 'the refusal in the console').toBe(true);
  // A navigation is not the policy's to refuse: the windows' guard stops it and records it.
  await page.goto('http://192.0.2.1/elsewhere').catch(() => null);
  expect(w.offHost).toEqual(['http://192.0.2.1/elsewhere']);
  // Seen: now let the test pass.
  w.problems.length = 0;
  w.offHost.length = 0;
});
