// The project's activity as an admin reads it: one sentence per action (an invitation, not its
// four tracked events), a bulk invite as one line with its people under it, and new actions
// appearing at the top while the page is open, with no reload.
import { BulkInviteDocument, CreateInviteLinkDocument, JoinWithLinkDocument, RevokeInviteDocument } from '@invites/client';
import { stringifyDocument } from '@urql/core';
import { createProject, email, fixture, gql, invite, signUp, signUpInvited, tokenOf, unique } from './api';
import { axeCheckNarrow, expect, heading, main, shoot, test } from './fixtures';

/** Uploads a CSV file as a bulk invite, as the app does (a GraphQL multipart request). */
async function uploadCsv(token: string, projectId: string, name: string, text: string): Promise<void> {
  const form = new FormData();
  form.append('operations', JSON.stringify({
    query: stringifyDocument(BulkInviteDocument), variables: { input: { projectId, csv: null, defaultRole: 'CONTRIBUTOR' } },
  }));
  form.append('map', JSON.stringify({ 0: ['variables.input.csv'] }));
  form.append('0', new Blob([text], { type: 'text/csv' }), name);
  const res = await fetch(`${fixture.base}/graphql`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
  const body = (await res.json()) as { errors?: unknown[] };
  expect(body.errors, 'the upload').toBeUndefined();
}

test('activity: sentences, a bulk invite on one line, and live updates', async ({ open, owner }) => {
  const project = `Activity ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const ada = email('ada');
  const adaInvite = await invite(owner.token, projectId, ada);
  // 30 rows: 120 tracked events, more than the first page (100) holds.
  const batch = Array.from({ length: 30 }, (_, i) => email(`b${i}`));
  await uploadCsv(owner.token, projectId, 'people.csv', ['email', ...batch].join('\n') + '\n');

  const page = await open({ token: owner.token });
  await page.goto(`/projects/${encodeURIComponent(projectId)}/activity`);
  await expect(heading(page, project)).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Activity' })).toHaveAttribute('aria-selected', 'true');
  const log = page.getByRole('log', { name: 'Activity, newest first' });
  // The batch's line names its file and counts all of it while only part of its events are loaded.
  await expect(log.getByText(`${owner.name} invited 30 people from people.csv.`)).toBeVisible();
  await expect(log.getByText(/^Who \(the 2\d loaded so far\)$/)).toBeVisible();
  await page.getByRole('button', { name: 'Show more events' }).click();
  await expect(log.getByText(`${owner.name} invited ${ada} as Contributor.`)).toBeVisible();
  await expect(log.getByRole('listitem').filter({ hasText: /invited/ })).toHaveCount(2);
  await expect(main(page).getByText(/Invited to Project|User Invited|Created User Invite/)).toHaveCount(0);
  // The batch's people, one click away.
  await log.getByText('Who', { exact: true }).click();
  for (const b of batch) await expect(log.getByText(b, { exact: true })).toBeVisible();

  // Live, with no reload: Ada joins from her email, and the owner revokes an invite elsewhere.
  await page.evaluate(() => { (window as unknown as { sameDocument: boolean }).sameDocument = true; });
  await signUpInvited(ada, 'Ada Lovelace');
  await expect(log.getByRole('listitem').first()).toContainText('Ada Lovelace accepted the invitation and joined as Contributor.');
  const late = email('late');
  const lateId = await invite(owner.token, projectId, late);
  await gql(RevokeInviteDocument, { id: lateId }, owner.token);
  await expect(log.getByRole('listitem').first()).toContainText(`${owner.name} revoked the invitation to ${late}.`);
  await expect(log.getByText(`${owner.name} invited ${late} as Contributor.`)).toBeVisible();
  // Someone joins through an invite link: the role the link granted.
  const { url } = (await gql(CreateInviteLinkDocument, { input: { projectId, role: 'PENDING' } }, owner.token)).createInviteLink;
  await expect(log.getByRole('listitem').first()).toContainText(`${owner.name} made an invite link.`);
  const joiner = await signUp(email('joiner'), 'Jo Joiner');
  await gql(JoinWithLinkDocument, { token: tokenOf(url) }, joiner);
  await expect(log.getByRole('listitem').first()).toContainText('Jo Joiner joined as Pending through an invite link.');
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), 'the page was not reloaded').toBe(true);
  expect(adaInvite).toBeTruthy();
  await axeCheckNarrow(page, 'the activity page');
  await shoot(page, 'activity');
});
