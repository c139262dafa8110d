// The list pages read again after their own changes, with the search and filter unchanged: that
// read reaches the server (it is not given an identical earlier read's answer still on its way),
// and an earlier read answering late never brings back the older list.
import { createProject, email, invite, signUpInvited, unique } from './api';
import { expect, test } from './fixtures';
import { holdNext, variablesOf } from './hold';

test('a slow earlier listing of the members does not bring back a member removed since', async ({ open, owner }) => {
  const projectId = await createProject(owner.token, `Members order ${unique()}`);
  for (const [address, name] of [[email('rita'), 'Rita Early'], [email('remy'), 'Remy Late']] as const) {
    await invite(owner.token, projectId, address);
    await signUpInvited(address, name);
  }
  const page = await open({ token: owner.token });
  await page.goto(`/projects/${encodeURIComponent(projectId)}`);
  const members = page.getByRole('region', { name: /^Members \(/ });
  await expect(members.getByRole('heading', { name: 'Members (3)' })).toBeVisible();
  const confirm = (name: string) => page.getByRole('dialog').getByRole('button', { name, exact: true }).click();

  // Removing Rita reads the list again; that answer (Olga and Remy) is held.
  const held = await holdNext(page, 'ProjectMembers');
  await members.getByRole('button', { name: 'Remove Rita Early' }).click();
  await confirm('Remove Rita Early');
  await held.caught();
  // Meanwhile Remy is removed too: the list read after it, the same read, is asked again.
  await members.getByRole('button', { name: 'Remove Remy Late' }).click();
  await confirm('Remove Remy Late');
  await expect(members.getByRole('heading', { name: 'Members (1)' })).toBeVisible();
  expect(held.requests.map(variablesOf)).toEqual([variablesOf(held.requests[0]!), variablesOf(held.requests[0]!)]);

  await held.release();
  await expect(members.getByRole('heading', { name: 'Members (1)' })).toBeVisible();
  await expect(members.getByRole('row').filter({ hasText: 'Remy Late' })).toHaveCount(0);
});

test('a slow first listing of the invitations does not replace the listing after an invite is sent', async ({ open, owner }) => {
  const projectId = await createProject(owner.token, `Invites order ${unique()}`);
  const page = await open({ token: owner.token });
  // The first listing (no invitations yet) is held until the one after sending an invite shows.
  const held = await holdNext(page, 'ProjectInvites');
  await page.goto(`/projects/${encodeURIComponent(projectId)}/invitations`);
  expect(variablesOf(await held.caught()).id).toBe(projectId);

  const invitee = email('ivo');
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(invitee);
  await page.getByRole('button', { name: 'Send invite' }).click();
  await expect(page.getByText(`Invite sent to ${invitee}.`)).toBeVisible();
  const invites = page.getByRole('region', { name: /^Invitations \(/ });
  await expect(invites.getByRole('rowheader', { name: invitee })).toBeVisible();
  expect(held.requests.length, 'the listing after the invite asked the server').toBeGreaterThanOrEqual(2);

  await held.release();
  await expect(invites.getByRole('rowheader', { name: invitee })).toBeVisible();
  await expect(invites.getByRole('heading', { name: 'Invitations (1)' })).toBeVisible();
});

test('the invite links read after a link is made reach the server while the first read is on its way', async ({ open, owner }) => {
  const projectId = await createProject(owner.token, `Links order ${unique()}`);
  const page = await open({ token: owner.token });
  const held = await holdNext(page, 'ProjectInviteLinks');
  await page.goto(`/projects/${encodeURIComponent(projectId)}/links`);
  const first = await held.caught();

  const form = page.getByRole('form', { name: 'Make an invite link' });
  await form.getByRole('button', { name: 'Make link' }).click();
  await expect(page.getByLabel('Invite link', { exact: true })).toBeVisible();
  // A second request, with the same variables as the first, held one.
  await expect.poll(() => held.requests.length, 'the read after making the link sent').toBe(2);
  expect(variablesOf(held.requests[1]!)).toEqual(variablesOf(first));
  await expect(page.getByRole('heading', { name: /^Invite links \(1\)$/ })).toBeVisible();

  await held.release();
  await expect(page.getByRole('heading', { name: /^Invite links \(1\)$/ })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Invite links' }).getByRole('row')).toHaveCount(2);
});
