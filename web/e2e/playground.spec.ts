// The playground at /playground: GraphiQL, served from the binary (nothing from a CDN), runs a
// query, and a subscription, with the token put in its Headers tab, as a user would.
import type { Locator, Page } from '@playwright/test';
import { createProject, email, invite, signUp } from './api';
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

test('the playground runs a subscription: each change shows in the result pane as it happens', async ({ open, owner }) => {
  const projectId = await createProject(owner.token, `Live ${email('p')}`);
  const page = await open();
  expect((await page.goto('/playground'))?.status(), 'the playground is built (make assets)').toBe(200);
  await page.getByRole('button', { name: 'Headers', exact: true }).click();
  await setEditor(page, page.getByRole('region', { name: 'Headers' }), `{"Authorization": "Bearer ${owner.token}"}`);
  await setEditor(page, page.getByRole('region', { name: 'Query Editor' }),
    `subscription Invites { inviteChanged(projectId: "${projectId}") { email status } }`);
  const run = page.getByRole('button', { name: /^Execute query/ });
  await expect(run).not.toHaveAttribute('aria-haspopup');
  await run.click();

  // The subscription is in place a moment after the click (its WebSocket opens, then
  // subscribes): invite until a change shows, each invite with a new address.
  const result = page.getByRole('region', { name: 'Result Window' });
  await expect(async () => {
    const first = email('first');
    await invite(owner.token, projectId, first);
    await expect(result).toContainText(`"email": "${first}"`, { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  // The stream goes on: the next change shows too, where a plain request would have ended.
  const second = email('second');
  await invite(owner.token, projectId, second);
  await expect(result).toContainText(`"email": "${second}"`, { timeout: 20_000 });
  await expect(result).toContainText('"status": "PENDING"');
});
