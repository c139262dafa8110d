// The playground at /playground: GraphiQL, served from the binary (nothing from a CDN), runs a
// query with the token put in its Headers tab, as a user would.
import type { Locator, Page } from '@playwright/test';
import { email, signUp } from './api';
import { expect, test } from './fixtures';

/** Replaces the text of a GraphiQL editor as pasting would: typed keys would meet its
 * auto-closed brackets and completion pop-ups. */
async function setEditor(page: Page, editor: Locator, text: string): Promise<void> {
  // The editor's text, which has no role; the Headers tab keeps the hidden Variables editor too.
  await editor.locator('.CodeMirror-lines').filter({ visible: true }).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
}

test('the playground runs a query with the token in its Headers tab', async ({ open }) => {
  const address = email('playground');
  const token = await signUp(address, 'Pat Playground');
  const page = await open();
  const res = await page.goto('/playground');
  expect(res?.status(), 'the playground is built (make assets)').toBe(200);

  const query = page.getByRole('region', { name: 'Query Editor' });
  await expect(query).toBeVisible();
  await page.getByRole('button', { name: 'Headers', exact: true }).click();
  const headers = page.getByRole('region', { name: 'Headers' });
  await expect(headers).toBeVisible();
  await setEditor(page, headers, `{"Authorization": "Bearer ${token}"}`);
  await setEditor(page, query, 'query Me { me { email } }');
  // With several operations in the editor the button opens a menu to pick one; it runs the
  // query once GraphiQL has parsed the one operation now there.
  const run = page.getByRole('button', { name: /^Execute query/ });
  await expect(run).not.toHaveAttribute('aria-haspopup');
  await run.click();
  await expect(page.getByRole('region', { name: 'Result Window' })).toContainText(`"email": "${address}"`, { timeout: 20_000 });
});
