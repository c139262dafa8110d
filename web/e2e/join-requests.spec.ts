// Asking to join through an invite link that requires approval: the person asks with a
// message and is told the request waits; an admin approves it in the Requests tab, after a
// confirmation, and the person becomes a member. Both pages are axe-clean at both widths.
import { CreateInviteLinkDocument } from '@invites/client';
import { createProject, email, gql, membership, signUpVerified, unique } from './api';
import { axeCheckNarrow, expect, heading, test } from './fixtures';

test('a person asks to join through an approval link and an admin approves them', async ({ open, owner }) => {
  const project = `Kepler ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const { url } = (await gql(CreateInviteLinkDocument, { input: { projectId, role: 'CONTRIBUTOR', requiresApproval: true } }, owner.token)).createInviteLink;

  const askerEmail = email('asker');
  const asker = await open({ token: await signUpVerified(askerEmail, 'Asa Asker') });
  await asker.goto(url);
  await expect(heading(asker, `Ask to join ${project}`)).toBeVisible();
  await axeCheckNarrow(asker, 'the ask-to-join page');
  await asker.getByLabel('Message for the admins (optional)').fill('I write the docs.');
  await asker.getByRole('button', { name: 'Ask to join' }).click();
  await expect(heading(asker, 'Your request is waiting')).toBeVisible();

  const admin = await open({ token: owner.token });
  await admin.goto(`/projects/${projectId}/requests`);
  await expect(admin.getByRole('heading', { name: 'Requests to join (1)' })).toBeVisible();
  await expect(admin.getByRole('tab', { name: 'Requests (1)' })).toHaveAttribute('aria-selected', 'true');
  await expect(admin.getByText('I write the docs.')).toBeVisible();
  await axeCheckNarrow(admin, 'the Requests tab');
  await admin.getByRole('checkbox', { name: /Asa Asker/ }).check();
  await admin.getByRole('button', { name: 'Approve selected' }).click();
  await admin.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
  await expect(admin.getByRole('heading', { name: 'Requests to join (0)' })).toBeVisible();
  await expect.poll(async () => (await membership(askerEmail, project))?.role).toBe('CONTRIBUTOR');
});
