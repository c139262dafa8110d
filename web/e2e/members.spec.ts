// A project's members and their roles, managed by its admins; and the invites waiting for a
// person on the start page.
import { BulkInviteDocument } from '@invites/client';
import { createProject, email, gql, invite, linkIn, membership, signUpInvited, sql, unique } from './api';
import { expect, heading, test } from './fixtures';

test("a project's admins manage its members; invites waiting on the start page are accepted there", async ({ open, owner }) => {
  const project = `Team ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const [admin, contributor, pasted] = [email('ada'), email('cara'), email('pasted')];
  await invite(owner.token, projectId, admin, { role: 'ADMIN' });
  await invite(owner.token, projectId, contributor);
  const adminToken = await signUpInvited(admin, 'Ada Admin');
  await signUpInvited(contributor, 'Cara Contributor');
  // Ada, now verified through her invite, invites the owner into a project of hers.
  const other = `Other ${unique()}`;
  await invite(adminToken, await createProject(adminToken, other), owner.email);

  const page = await open({ token: owner.token });
  // Bulk rows pasted rather than uploaded.
  await page.goto(`/projects/${encodeURIComponent(projectId)}/bulk`);
  await page.getByLabel('Or paste rows').fill(`email,name\n${pasted},Pat Pasted\n`);
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('button', { name: 'Send 1 invitation' }).click();
  await expect(heading(page, 'Bulk invite result')).toBeVisible();
  await linkIn(pasted, '/invite/');

  // A list longer than a page: the next page comes after the end cursor.
  const many = Array.from({ length: 52 }, (_, i) => ({ email: email(`many-${i}`) }));
  await gql(BulkInviteDocument, { input: { projectId, rows: many } }, owner.token);
  await page.goto(`/projects/${encodeURIComponent(projectId)}/invitations`);
  const invites = page.getByRole('region', { name: /^Invitations \(/ });
  await expect(invites.getByText('Showing 50 of 55 invitations.')).toBeVisible();
  await invites.getByRole('button', { name: 'Show more invitations' }).click();
  await expect(invites.getByRole('button', { name: 'Show more invitations' })).toHaveCount(0);
  await expect(invites.getByRole('row')).toHaveCount(1 + 55);
  const shown = await invites.getByRole('rowheader').allInnerTexts();
  expect(new Set(shown).size, 'no invite twice').toBe(55);

  await page.getByRole('tab', { name: 'Members' }).click();
  const members = page.getByRole('region', { name: /^Members \(/ });
  const confirm = (name: string) => page.getByRole('dialog').getByRole('button', { name, exact: true }).click();
  const cara = members.getByRole('row').filter({ hasText: 'Cara Contributor' });
  await expect(members.getByRole('heading', { name: 'Members (3)' })).toBeVisible();
  await members.getByLabel('External ID of Cara Contributor').fill('C-9');
  await cara.getByRole('button', { name: 'Save' }).click();
  await expect.poll(async () => (await membership(contributor, project))?.external_id, 'the external ID stored').toBe('C-9');
  // The page has the answer once Save is disabled again (the stored ID and the field agree):
  // clearing before then would compare the field with the old, empty ID.
  await expect(cara.getByRole('button', { name: 'Save' }), 'the stored external ID shown').toBeDisabled();
  await members.getByLabel('External ID of Cara Contributor').fill('');
  await cara.getByRole('button', { name: 'Clear' }).click();
  await expect.poll(async () => (await membership(contributor, project))?.external_id, 'the external ID cleared').toBeNull();
  await members.getByRole('button', { name: 'Remove Cara Contributor' }).click();
  await confirm('Remove Cara Contributor');
  await expect(members.getByRole('heading', { name: 'Members (2)' })).toBeVisible();
  expect(await membership(contributor, project)).toBeUndefined();
  // Nobody changes their own role, and OWNER is granted only by a transfer.
  await expect(members.getByLabel('Role of Olga Owner')).toHaveCount(0);
  expect(await members.getByLabel('Role of Ada Admin').locator('option').allInnerTexts()).toEqual(['Pending', 'Contributor', 'Admin']);
  await members.getByRole('button', { name: 'Transfer ownership to Ada Admin' }).click();
  await confirm('Make Ada Admin the owner');
  await expect(page.getByText('Your role: Admin')).toBeVisible();
  expect((await membership(admin, project))?.role).toBe('OWNER');
  expect((await membership(owner.email, project))?.role).toBe('ADMIN');
  await members.getByRole('button', { name: 'Leave the project' }).click();
  await confirm('Leave the project');
  await expect(heading(page, 'Your projects')).toBeVisible();
  expect(await membership(owner.email, project)).toBeUndefined();

  const waiting = page.getByRole('region', { name: 'Invites waiting for you' });
  await expect(waiting.getByText(`Ada Admin invited you to ${other} as Contributor.`, { exact: false })).toBeVisible();
  await waiting.getByRole('button', { name: `Accept the invite to ${other}` }).click();
  await expect(waiting.getByText(`You joined ${other}.`)).toBeVisible();
  expect((await membership(owner.email, other))?.role).toBe('CONTRIBUTOR');
});

test('removing an admin revokes the invites they sent, and the invitations tab shows it', async ({ open, owner }) => {
  const project = `Hygiene ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const [admin, theirs, ours] = [email('hy-admin'), email('theirs'), email('ours')];
  await invite(owner.token, projectId, admin, { role: 'ADMIN' });
  const adminToken = await signUpInvited(admin, 'Hugo Admin');
  await invite(adminToken, projectId, theirs);
  await invite(owner.token, projectId, ours);

  const page = await open({ token: owner.token });
  await page.goto(`/projects/${encodeURIComponent(projectId)}/invitations`);
  const invites = page.getByRole('region', { name: /^Invitations \(/ });
  const rowOf = (address: string) => invites.getByRole('row').filter({ has: page.getByRole('rowheader', { name: address, exact: true }) });
  await expect(rowOf(theirs).getByRole('cell', { name: 'Awaiting response', exact: true })).toBeVisible();
  await page.getByRole('tab', { name: 'Members' }).click();
  await page.getByRole('region', { name: /^Members \(/ }).getByRole('button', { name: 'Remove Hugo Admin' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove Hugo Admin' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Hugo Admin was removed' })).toBeVisible();
  await page.getByRole('tab', { name: 'Invitations' }).click();
  await expect(rowOf(theirs).getByRole('cell', { name: 'Revoked', exact: true })).toBeVisible();
  await expect(rowOf(ours).getByRole('cell', { name: 'Awaiting response', exact: true })).toBeVisible();
  await invites.getByLabel('Filter by status').selectOption('PENDING');
  await expect(rowOf(ours)).toBeVisible();
  await expect(rowOf(theirs)).toHaveCount(0);
  expect(await sql('SELECT status FROM invites WHERE email = $1', theirs)).toEqual([{ status: 'REVOKED' }]);
});

