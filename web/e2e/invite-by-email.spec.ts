// Invited by email: the page behind the emailed link, for a newcomer, for someone with an
// account, for someone signed in as another account, and for links that can no longer be used.
import { BulkInviteDocument, DeclineInviteDocument, MeDocument, ResendInviteDocument, RevokeInviteDocument, SignUpDocument } from '@invites/client';
import {
  createProject, email, gql, invite, linkIn, membership, password, signUp, sql, tokenOf, unique,
} from './api';
import { axeCheck, axeCheckNarrow, expect, facts, heading, main, shoot, test } from './fixtures';

test('an invitee opens the emailed link, signs up with the name given, and is a member', async ({ open, owner }) => {
  const project = `Apollo ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const invitee = email('ivy');
  await gql(BulkInviteDocument, { input: { projectId, rows: [{ email: invitee, name: 'Ivy Invitee', externalId: 'S-100' }] } }, owner.token);
  const link = await linkIn(invitee, '/invite/');

  const page = await open();
  await page.goto(link);
  await expect(heading(page, `Olga Owner invited you to ${project}`)).toBeVisible();
  const shown = await facts(page);
  expect(shown['Role']).toBe('Contributor');
  expect(shown['Invited email']).toBe(invitee);
  expect(shown['Expires']).toMatch(/^\d/);
  await expect(main(page).getByText('Contributor. You see the project and who else is in it.'), 'what the role allows').toBeVisible();
  await expect(heading(page, `Sign up to join ${project}`)).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveValue(invitee);
  await expect(page.getByLabel('Email')).toHaveAttribute('readonly', '');
  await expect(page.getByLabel('Your name'), 'the name the inviter gave').toHaveValue('Ivy Invitee');
  await axeCheckNarrow(page, 'the invite page');
  await shoot(page, 'invite-page');

  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up and join' }).click();
  await expect(heading(page, `You have joined ${project}`)).toBeVisible();
  await expect(main(page).getByText('Check your email'), 'the invite proved the email: no verification detour').toHaveCount(0);
  expect(await membership(invitee, project), 'the membership in the database').toEqual({ role: 'CONTRIBUTOR', external_id: 'S-100' });
  expect((await sql('SELECT 1 FROM users WHERE email = $1 AND email_verified_at IS NOT NULL', invitee)).length, 'the email verified').toBe(1);
  await page.getByRole('link', { name: `Open ${project}` }).click();
  await expect(heading(page, project)).toBeVisible();
  await expect(page.getByRole('heading', { name: /^Members \(2\)$/ })).toBeVisible();
  // Logging out ends the session on the server and forgets the token.
  const token = await page.evaluate(() => window.localStorage.getItem('invites.session'));
  expect(token, 'the app keeps the session token').toBeTruthy();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('link', { name: 'Log in' }).first()).toBeVisible();
  expect(await page.evaluate(() => window.localStorage.getItem('invites.session'))).toBeNull();
  expect((await gql(MeDocument, {}, token!)).me, 'the logged-out token still works').toBeNull();
});

test('an invitee with an account logs in on the invite page, then accepts', async ({ open, owner }) => {
  const project = `Gemini ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const invitee = email('existing');
  await signUp(invitee, 'Evan Existing');
  await invite(owner.token, projectId, invitee, { role: 'ADMIN' });
  const link = await linkIn(invitee, '/invite/');

  const page = await open();
  await page.goto(link);
  await expect(heading(page, 'Log in to accept')).toBeVisible();
  await expect(main(page).getByText('Admin. You invite and manage contributors, and run the invitations, invite links and webhooks.')).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveValue(invitee);
  await expect(main(page).getByRole('link', { name: 'Forgot your password?' }), 'the way to a new password keeps the email and the invite')
    .toHaveAttribute('href', `/forgot-password?next=${encodeURIComponent(new URL(link).pathname)}&email=${encodeURIComponent(invitee)}`);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(main(page).getByText('That email and password do not match an account.')).toBeVisible();
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(heading(page, `Join ${project}?`)).toBeVisible();
  await page.getByRole('button', { name: 'Accept the invite' }).click();
  await expect(heading(page, `You have joined ${project}`)).toBeVisible();
  expect((await membership(invitee, project))?.role).toBe('ADMIN');
  // The accepted invite's link, opened again, leads into the project.
  await page.goto(link);
  await expect(main(page).getByText('This invite has already been accepted.')).toBeVisible();
  await page.getByRole('link', { name: `Open ${project}` }).click();
  await expect(heading(page, project)).toBeVisible();
});

test('signed in as another account: the page says so and offers to log out', async ({ open, owner }) => {
  const project = `Mercury ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const invitee = email('wanted');
  await invite(owner.token, projectId, invitee);
  const link = await linkIn(invitee, '/invite/');
  const other = email('other');
  await signUp(other, 'Otto Other');

  const page = await open();
  await page.goto('/login');
  await expect(heading(page, 'Log in')).toBeVisible();
  await axeCheck(page, 'the log-in page');
  await page.getByLabel('Email').fill(other);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(heading(page, 'Your projects')).toBeVisible();

  await page.goto(link);
  await expect(heading(page, 'This invite is for another account')).toBeVisible();
  await expect(main(page).getByText(`You are logged in as ${other}, but the invite was sent to ${invitee}.`)).toBeVisible();
  await main(page).getByRole('button', { name: 'Log out' }).click();
  await expect(heading(page, `Sign up to join ${project}`)).toBeVisible();
  expect(await membership(other, project)).toBeUndefined();
});

test('expired, accepted, declined, revoked and unknown invites say why they cannot be used', async ({ open, owner }) => {
  const project = `Vostok ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const [expired, accepted, declined, revoked, declineHere] = ['expired', 'accepted', 'declined', 'revoked', 'decline-here'].map(email) as [string, string, string, string, string];
  const links: Record<string, { id: string; link: string }> = {};
  for (const a of [expired, accepted, declined, revoked, declineHere]) {
    const id = await invite(owner.token, projectId, a);
    links[a] = { id, link: await linkIn(a, '/invite/') };
  }
  await sql(`UPDATE invites SET expires_at = now() - interval '1 hour' WHERE email = $1`, expired);
  await gql(SignUpDocument, { input: { password, name: 'Ann Accepted', inviteToken: tokenOf(links[accepted]!.link) } });
  await gql(DeclineInviteDocument, { input: { token: tokenOf(links[declined]!.link) } });
  await gql(RevokeInviteDocument, { id: links[revoked]!.id }, owner.token);

  const page = await open();
  const cases: [string, RegExp][] = [
    [expired, /This invite expired on .+, so it cannot be used\. Ask Olga Owner to send a new one\./],
    [accepted, /This invite has already been accepted\./],
    [declined, /This invite was declined, so it cannot be used any more\./],
    [revoked, new RegExp(`This invite was withdrawn by ${project}, so it cannot be used any more\\.`)],
  ];
  for (const [address, text] of cases) {
    await page.goto(links[address]!.link);
    await expect(heading(page, `Olga Owner invited you to ${project}`)).toBeVisible();
    await expect(main(page).getByText(text)).toBeVisible();
    await expect(page.getByRole('button', { name: /Accept|Sign up/ }), `${address}: no way to accept`).toHaveCount(0);
  }
  for (const bad of ['not-a-real-token', 'x'.repeat(43)]) {
    await page.goto(`/invite/${bad}`);
    await expect(heading(page, 'This invite link is not valid')).toBeVisible();
  }
  // Declining needs no sign-in.
  await page.goto(links[declineHere]!.link);
  await page.getByRole('button', { name: 'Decline the invite' }).click();
  await expect(heading(page, 'Invite declined')).toBeVisible();
  expect(await sql('SELECT status FROM invites WHERE email = $1', declineHere)).toEqual([{ status: 'DECLINED' }]);
});

test('a link that a newer email replaced says so, and the newer one works', async ({ open, owner }) => {
  const project = `Soyuz ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const address = email('replaced');
  const id = await invite(owner.token, projectId, address);
  const oldLink = await linkIn(address, '/invite/');
  // A resend replaces the link as a reminder does (the reminder's own end-to-end test is
  // e2e/reminders_test.go's, where the sweep sends it).
  await gql(ResendInviteDocument, { id }, owner.token);
  const newLink = await linkIn(address, '/invite/', 2);
  expect(newLink).not.toBe(oldLink);

  const page = await open();
  await page.goto(oldLink);
  await expect(heading(page, 'This link was replaced by a newer email')).toBeVisible();
  await expect(main(page).getByText(/Open the link from the latest invite email\./)).toBeVisible();
  await axeCheck(page, 'the page of a replaced invite link');
  await shoot(page, 'invite-replaced');
  await page.goto(newLink);
  await expect(heading(page, `Olga Owner invited you to ${project}`)).toBeVisible();
});
