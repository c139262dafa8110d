// Inviting many people from a CSV file: the preview, confirmed by its previewId (or, once the
// project changed, refused with what changed and previewed again), the result after
// Coursemology's design, the addresses that bounce moving live to the failed rows, the failed
// rows to download, and the invites list that follows.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { RevokeInviteDocument } from '@invites/client';
import {
  createProject, email, fixture, gql, invite, linkIn, mail, membership, signUpInvited, sql, unique,
} from './api';
import { axeCheck, axeCheckNarrow, expect, heading, main, shoot, test } from './fixtures';

/** The background of a row that could not be sent (styles.css's .unsent). */
const red = 'rgb(253, 226, 226)';

/** The result's section headings, in order. */
async function resultSections(page: Page, title: string): Promise<string[]> {
  return page.getByRole('region', { name: title }).getByRole('heading', { level: 3 }).allInnerTexts();
}

/** A changed external ID: bold, its tooltip hidden until hover, and shown on keyboard focus. */
async function checkChangedId(page: Page, id: string, previously: string): Promise<void> {
  const strong = page.getByRole('strong').filter({ hasText: id });
  expect(await strong.evaluate((el) => getComputedStyle(el).fontWeight)).toBe('700');
  const tip = page.getByRole('tooltip').filter({ hasText: previously });
  await expect(tip, 'the tooltip waits for hover or focus').toBeHidden();
  await strong.hover();
  await expect(tip).toBeVisible();
  await page.mouse.move(0, 0);
  await expect(tip).toBeHidden();
  // By keyboard alone: Tab from the top of the page until the ID has the focus.
  await page.locator('body').focus();
  for (let i = 0; i < 60 && !(await strong.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(strong, `${id} reached with Tab`).toBeFocused();
  await expect(tip).toBeVisible();
  expect(await strong.getAttribute('aria-describedby')).toBe(await tip.getAttribute('id'));
}

/** The failed rows of the result: the table whose caption counts the red ones. */
function checkRedRows(page: Page, rows: [string, boolean][]) {
  const failed = page.getByRole('table').filter({ has: page.getByText('highlighted in red') });
  return {
    failed,
    async check() {
      await expect(failed.getByRole('caption')).toHaveText('2 rows highlighted in red could not be sent');
      for (const [address, isRed] of rows) {
        const row = failed.getByRole('row').filter({ has: page.getByRole('rowheader', { name: address }) });
        const bg = await row.getByRole('cell').first().evaluate((el) => getComputedStyle(el).backgroundColor);
        expect(bg === red, `${address}: background ${bg}`).toBe(isRed);
        if (isRed) await expect(row.getByText('The invite email could not be delivered to this address.')).toBeVisible();
      }
    },
  };
}

/** The download's rows after its header, in order. */
async function downloaded(page: Page, link: string): Promise<{ name: string; lines: string[] }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: link }).click()]);
  return { name: download.suggestedFilename(), lines: readFileSync(await download.path(), 'utf8').trimEnd().split('\r\n') };
}

test('bulk invite: preview, confirm, a bouncing address in red, a changed external ID, resend and revoke', async ({ open, owner }) => {
  const project = `Bulk ${unique()}`;
  const projectId = await createProject(owner.token, project);
  // A member whose external ID the upload changes.
  const member = email('member');
  await invite(owner.token, projectId, member, { externalId: 'OLD-1' });
  await signUpInvited(member, 'Mia Member');
  const fresh = email('fresh');
  const [b1, b2] = fixture.bounces;
  const csv1 = ['email,role,external_id,name,notes', `${fresh},CONTRIBUTOR,N1,Finn Fresh,x`, `${b1},,,,`, `${b2},,,,`, 'not-an-email,,,,', `${member},,NEW-1,,`].join('\n') + '\n';
  const failedRows = [
    `${b1},,,,,The invite email could not be delivered to this address.`,
    `${b2},,,,,The invite email could not be delivered to this address.`,
    'not-an-email,,,,,The email is missing or not a valid address.',
  ].sort();

  const page = await open({ token: owner.token });
  await page.goto(`/projects/${encodeURIComponent(projectId)}/invitations`);
  await expect(heading(page, project)).toBeVisible();
  await page.getByRole('link', { name: 'Invite many people from a CSV file' }).click();
  await expect(heading(page, `Invite people to ${project}`)).toBeVisible();

  // A file the API refuses: its message next to the picker, nothing sent.
  await page.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('name\nNobody\n') });
  await page.getByRole('button', { name: 'Preview' }).click();
  const refusal = await main(page).getByRole('alert').innerText();
  expect(refusal, 'the refusal names the missing column').toMatch(/email/i);
  expect(refusal).not.toMatch(/BAD_USER_INPUT/);

  await page.getByLabel('CSV file').setInputFiles({ name: 'class.csv', mimeType: 'text/csv', buffer: Buffer.from(csv1) });
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(heading(page, 'Preview: nothing has been sent yet')).toBeVisible();
  expect(await resultSections(page, 'Preview: nothing has been sent yet')).toEqual(['Failed (1)', 'New invitations (3)', 'Existing members (1)']);
  expect(await sql('SELECT id FROM invites WHERE email = $1', fresh), 'the preview wrote nothing').toEqual([]);
  await checkChangedId(page, 'NEW-1', 'Previously: OLD-1');
  await expect(main(page).getByText('Ignored column, which the invite does not use: notes.')).toBeVisible();
  // A preview tells nothing of accounts: that is known once invites are sent.
  const newInvitations = page.getByRole('region', { name: 'New invitations', exact: true });
  await expect(newInvitations.getByRole('columnheader', { name: 'Account' })).toHaveCount(0);
  await expect(main(page).getByText(/^You can send this preview until /)).toBeVisible();

  // Confirmed: the server sent 3 invitations; the two bouncing addresses' emails then fail, and
  // their rows move live (no reload, no polling) to the failed ones, in red, counted in the caption.
  await page.evaluate(() => { (window as unknown as { sameDocument: boolean }).sameDocument = true; });
  await page.getByRole('button', { name: 'Send 3 invitations' }).click();
  await expect(heading(page, 'Bulk invite result')).toBeVisible();
  // The summary counts what the sections show: the two bouncing rows may have moved already.
  await expect(main(page).getByText(/^5 rows processed: [13] new invitations? sent, 1 existing member, [13] failed\.$/)).toBeVisible();
  await expect(newInvitations.getByRole('columnheader', { name: 'Account' })).toBeVisible();
  // Sent by the preview's ID: the invites are the ones the preview showed.
  expect(await sql('SELECT confirmed_at IS NOT NULL AS confirmed FROM bulk_previews WHERE project_id = $1', projectId)).toEqual([{ confirmed: true }]);
  expect(await membership(member, project)).toEqual({ role: 'CONTRIBUTOR', external_id: 'NEW-1' });
  await linkIn(fresh, '/invite/');
  for (const b of fixture.bounces) {
    await expect.poll(async () => (await sql<{ status: string }>('SELECT status FROM emails WHERE recipient = $1', b))[0]?.status,
      { message: `${b}'s email to fail for good`, timeout: 60_000 }).toBe('FAILED_PERMANENT');
  }
  await expect(main(page).getByRole('status').filter({ hasText: 'Since then, 2 more rows could not be sent: their emails bounced.' })).toBeVisible({ timeout: 60_000 });
  expect(await resultSections(page, 'Bulk invite result')).toEqual(['Failed (3)', 'New invitations (1)', 'Existing members (1)']);
  // The summary counts the bounced rows where the sections show them.
  await expect(main(page).getByText('5 rows processed: 1 new invitation sent, 1 existing member, 3 failed.')).toBeVisible();
  await checkRedRows(page, [[b1, true], [b2, true], ['not-an-email', false]]).check();
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), 'the page was not reloaded').toBe(true);
  expect((await downloaded(page, 'Download the 3 failed rows as CSV')).lines.slice(1).sort()).toEqual(failedRows);
  await axeCheck(page, 'the bulk result, after two emails bounced');

  // The same people again: the bounced ones are now FAILED_TO_SEND, in red.
  const csv2 = ['email,role,external_id,name,notes', `${fresh},CONTRIBUTOR,N1-CHANGED,,`, `${b1},,,,`, `${b2},,,,`, 'not-an-email,,,,', `${member},,NEW-1,,`].join('\r\n') + '\r\n';
  await page.getByRole('button', { name: 'Invite more people' }).click();
  await page.getByLabel('CSV file').setInputFiles({ name: 'class.csv', mimeType: 'text/csv', buffer: Buffer.from(csv2) });
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(heading(page, 'Preview: nothing has been sent yet')).toBeVisible();
  await page.getByRole('button', { name: 'Send 0 invitations' }).click();
  await expect(heading(page, 'Bulk invite result')).toBeVisible();
  expect(await resultSections(page, 'Bulk invite result')).toEqual(['Failed (3)', 'Existing invitations (1)', 'Existing members (1)']);
  await checkRedRows(page, [[b1, true], [b2, true], ['not-an-email', false]]).check();
  await checkChangedId(page, 'N1-CHANGED', 'Previously: N1');
  await axeCheckNarrow(page, 'the bulk result');
  await shoot(page, 'bulk-result');

  // The failed rows, as uploaded plus the reason, to fix and upload again.
  const download = await downloaded(page, 'Download the 3 failed rows as CSV');
  expect(download.name).toBe('class-failed.csv');
  expect(download.lines.slice(1).sort()).toEqual(failedRows);
  expect(download.lines[0]).toBe('email,role,external_id,name,notes,reason');

  // The invitations tab: the bounced addresses say so; resend one, revoke another (confirmed).
  await page.getByRole('link', { name: `Back to ${project}` }).click();
  await expect(heading(page, project)).toBeVisible();
  const invites = page.getByRole('region', { name: /^Invitations \(/ });
  const rowOf = (address: string) => invites.getByRole('row').filter({ has: page.getByRole('rowheader', { name: address, exact: true }) });
  await expect(rowOf(b1).getByText('Could not be delivered')).toBeVisible();
  // The delivery filter finds the undeliverable ones, and only them.
  await invites.getByLabel('Filter by status').selectOption({ label: 'Delivery: Could not be delivered' });
  await expect(rowOf(b2)).toBeVisible();
  await expect(rowOf(b1)).toBeVisible();
  await expect(rowOf(fresh)).toHaveCount(0);
  await invites.getByLabel('Filter by status').selectOption('');
  await expect(rowOf(fresh)).toBeVisible();
  await axeCheck(page, 'the project page');
  await shoot(page, 'project-page');
  await rowOf(fresh).getByRole('button', { name: `Resend to ${fresh}` }).click();
  await expect(invites.getByRole('status').filter({ hasText: `Sent again to ${fresh}.` })).toBeVisible();
  const again = await linkIn(fresh, '/invite/', 2);
  expect(again, 'the resent email has a new link').not.toBe((await mail(fresh, 1))[0]!.links[0]);
  await rowOf(b1).getByRole('button', { name: `Revoke the invite to ${b1}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: `Revoke the invitation to ${b1}` }).click();
  await expect(invites.getByRole('status').filter({ hasText: `Invitation to ${b1} revoked.` })).toBeVisible();
  await expect(rowOf(b1).getByRole('cell', { name: 'Revoked', exact: true })).toBeVisible();
  expect(await sql('SELECT status FROM invites WHERE email = $1', b1)).toEqual([{ status: 'REVOKED' }]);
  await invites.getByLabel('Filter by status').selectOption('PENDING');
  await expect(rowOf(fresh)).toBeVisible();
  await expect(rowOf(b1)).toHaveCount(0);

  // Live, with no reload and no polling: an invite sent through the API appears and its email
  // goes out (Sent); revoked through the API, its row says so.
  const elsewhere = email('elsewhere');
  const elsewhereId = await invite(owner.token, projectId, elsewhere);
  await expect(rowOf(elsewhere).getByRole('cell', { name: 'Sent', exact: true })).toBeVisible();
  await gql(RevokeInviteDocument, { id: elsewhereId }, owner.token);
  await expect(rowOf(elsewhere).getByRole('cell', { name: 'Revoked', exact: true })).toBeVisible();

  // Inviting one person: the API's refusal in words, next to the form.
  const inviteOne = page.getByRole('region', { name: 'Invite someone' });
  await inviteOne.getByLabel('Email').fill(fresh);
  await inviteOne.getByRole('button', { name: 'Send invite' }).click();
  await expect(inviteOne.getByRole('alert').filter({ hasText: 'This email has a pending invite to the project already.' })).toBeVisible();
  // A member's role, changed in place within the roles the owner may grant, once confirmed.
  await page.getByRole('tab', { name: 'Members' }).click();
  const members = page.getByRole('region', { name: /^Members \(/ });
  await expect(members.getByLabel('Role of Mia Member')).toBeVisible();
  expect(await members.getByLabel('Role of Mia Member').locator('option').allInnerTexts()).toEqual(['Pending', 'Contributor', 'Admin']);
  await members.getByLabel('Role of Mia Member').selectOption('ADMIN');
  await page.getByRole('dialog', { name: 'Make Mia Member Admin?' }).getByRole('button', { name: 'Make Mia Member Admin' }).click();
  await expect(members.getByRole('status').filter({ hasText: 'Mia Member is now Admin.' })).toBeVisible();
  await expect.poll(async () => (await membership(member, project))?.role, 'the new role in the database').toBe('ADMIN');
});

test('bulk invite: a preview that the project overtook is not sent; it says what changed and previews again', async ({ open, owner }) => {
  const project = `Stale ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const [early, late] = [email('early'), email('late')];
  const csv = ['email,external_id', `${early},S1`, `${late},S2`].join('\n') + '\n';

  const page = await open({ token: owner.token });
  await page.goto(`/projects/${encodeURIComponent(projectId)}/bulk`);
  await page.getByLabel('CSV file').setInputFiles({ name: 'stale.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(heading(page, 'Preview: nothing has been sent yet')).toBeVisible();
  expect(await resultSections(page, 'Preview: nothing has been sent yet')).toEqual(['New invitations (2)']);

  // Meanwhile, someone invites one of the rows' addresses: its row would no longer be a new invitation.
  await invite(owner.token, projectId, late);
  await page.getByRole('button', { name: 'Send 2 invitations' }).click();
  const alert = main(page).getByRole('alert');
  await expect(alert).toContainText('Nothing was sent. The project changed since this preview, so 1 row would not turn out as shown');
  await expect(alert).toContainText(`row 3 (${late}): was a new invitation as CONTRIBUTOR, with external ID S2, now its pending invitation`);
  await expect(page.getByRole('button', { name: /^Send / })).toHaveCount(0);
  expect(await sql('SELECT email FROM invites WHERE project_id = $1 ORDER BY email', projectId), 'only the invite sent meanwhile').toEqual([{ email: late }]);
  await axeCheck(page, 'a stale bulk preview');

  await page.getByRole('button', { name: 'Preview again' }).click();
  await expect(page.getByRole('region', { name: 'Preview: nothing has been sent yet' }).getByRole('heading', { level: 3 }))
    .toHaveText(['New invitations (1)', 'Existing invitations (1)']);
  await expect(main(page).getByRole('alert')).toHaveCount(0);
  await page.getByRole('button', { name: 'Send 1 invitation' }).click();
  await expect(heading(page, 'Bulk invite result')).toBeVisible();
  await expect(main(page).getByText('2 rows processed: 1 new invitation sent, 1 existing invitation, 0 failed.')).toBeVisible();
  expect(await sql('SELECT email, external_id FROM invites WHERE project_id = $1 ORDER BY email', projectId))
    .toEqual([{ email: early, external_id: 'S1' }, { email: late, external_id: 'S2' }]); // 'early-...' sorts first
});

test('bulk invite: a focused step at 1280×800 and 390×844: Send always in view, long sections collapsed, a role change, the duplicate\'s earlier row, every column of a failed row', async ({ open, owner }) => {
  const project = `Focus ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const pending = email('pending');
  await invite(owner.token, projectId, pending, { role: 'PENDING' });
  const fresh = Array.from({ length: 14 }, (_, i) => email(`fresh${i}`));
  const bad = email('badrole');
  // Line 1 is the header: the fresh addresses are lines 2 to 15.
  const csv = ['email,role,external_id,name,team', ...fresh.map((f, i) => `${f},,F${i},Fresh ${i},blue`),
    `${pending},CONTRIBUTOR,,,`, `${fresh[0]},,,Again,green`, `${bad},boss,,Bad Role,red`].join('\n') + '\n';

  for (const [width, height] of [[1280, 800], [390, 844]] as const) {
    const page = await open({ token: owner.token, width });
    await page.setViewportSize({ width, height });
    await page.goto(`/projects/${encodeURIComponent(projectId)}/bulk`);
    await page.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Preview' }).click();
    const title = 'Preview: nothing has been sent yet';
    await expect(heading(page, title)).toBeVisible();
    await expect(main(page).getByText('17 rows read: 14 new, 1 existing invitation, 2 failed. Confirming will send 14 new invitations and change 1 role.')).toBeVisible();
    const send = page.getByRole('button', { name: 'Send 14 invitations' });
    const cancel = page.getByRole('button', { name: 'Cancel' });
    await expect(send, `${width}: Send without scrolling`).toBeInViewport();
    await expect(cancel).toBeInViewport();
    expect(await resultSections(page, title)).toEqual(['Failed (2)', 'New invitations (14)', 'Existing invitations (1)']);

    // The 14 new invitations wait behind their heading; the short sections are open.
    const toggle = page.getByRole('button', { name: 'New invitations (14)', exact: true });
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByRole('region', { name: 'New invitations', exact: true })).toBeHidden();
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await expect(page.getByRole('region', { name: 'New invitations', exact: true }).getByRole('row')).toHaveCount(15);

    // Scrolled to the end, Send and Cancel are still in view.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await expect(send, `${width}: Send after scrolling`).toBeInViewport();

    // Failed rows keep every uploaded column; the duplicate names the earlier line; the role
    // message lists only the roles the owner may give.
    const failed = page.getByRole('region', { name: 'Failed rows' });
    for (const column of ['email', 'role', 'external_id', 'name', 'team']) await expect(failed.getByRole('columnheader', { name: column, exact: true })).toHaveCount(1);
    // (On a phone each cell's name starts with its column's, so the cells are found by their text.)
    const dup = failed.getByRole('row').filter({ has: page.getByText('Again', { exact: true }) });
    await expect(dup.getByText('Row 2 has this email already.')).toBeVisible();
    const badRow = failed.getByRole('row').filter({ has: page.getByRole('rowheader', { name: bad }) });
    await expect(badRow.getByText('Bad Role', { exact: true })).toBeVisible();
    await expect(badRow.getByText('red', { exact: true })).toBeVisible();
    await expect(badRow.getByText('The role is not a project role: use Pending, Contributor or Admin.')).toBeVisible();

    // The pending invite's role change, in bold with what it was.
    const existing = page.getByRole('region', { name: 'Existing invitations', exact: true });
    const role = existing.getByRole('strong').filter({ hasText: 'Contributor' });
    await role.focus();
    await expect(existing.getByRole('tooltip').filter({ hasText: 'Previously: Pending' })).toBeVisible();
    await axeCheck(page, `the focused bulk preview at ${width} px`);
    if (width === 1280) await shoot(page, 'bulk-preview');
    if (width === 390) {
      // Sent from the phone: the result keeps the bar in view too.
      await send.click();
      await expect(heading(page, 'Bulk invite result')).toBeVisible();
      await expect(main(page).getByText('17 rows processed: 14 new invitations sent, 1 existing invitation, 2 failed.')).toBeVisible();
      await expect(page.getByRole('button', { name: 'Invite more people' })).toBeInViewport();
      await axeCheck(page, 'the focused bulk result at 390 px');
    } else {
      await cancel.click();
      await expect(page.getByLabel('CSV file')).toBeVisible();
    }
  }
  expect(await sql('SELECT role FROM invites WHERE email = $1', pending)).toEqual([{ role: 'CONTRIBUTOR' }]);
});
