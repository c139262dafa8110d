// A shareable invite link: made by an admin, used by a newcomer who signs up and verifies their
// email, revoked; and a link that names nothing.
import { createProject, email, fixture, linkIn, membership, password, sql, unique } from './api';
import { axeCheck, axeCheckNarrow, expect, facts, heading, main, shoot, test } from './fixtures';

test('an admin makes an invite link; a newcomer signs up, verifies and joins through it; a bad link says so', async ({ open, owner }) => {
  const project = `Voyager ${unique()}`;
  const projectId = await createProject(owner.token, project);

  // The admin's side: the form, the link shown once, the list.
  const admin = await open({ token: owner.token });
  await admin.goto(`/projects/${projectId}/links`);
  await expect(admin.getByRole('heading', { name: /^Invite links \(0\)$/ })).toBeVisible();
  const form = admin.getByRole('form', { name: 'Make an invite link' });
  await form.getByLabel('Role').selectOption('CONTRIBUTOR');
  await form.getByLabel('Most uses (optional)').fill('2');
  await form.getByLabel('Only emails at (optional)').fill('@Example.test');
  await form.getByRole('button', { name: 'Make link' }).click();
  const shown = admin.getByLabel('Invite link', { exact: true });
  await expect(shown).toBeVisible();
  const joinLink = await shown.inputValue();
  expect(joinLink).toMatch(new RegExp(`^${fixture.base.replace(/[.]/g, '\\.')}/join/[A-Za-z0-9_-]{43}$`));
  await expect(admin.getByRole('heading', { name: /^Invite links \(1\)$/ })).toBeVisible();
  const links = admin.getByRole('region', { name: 'Invite links' });
  expect(await links.getByRole('row').nth(1).innerText()).toMatch(/Contributor\s+0 of 2\s+example\.test\s+Active/);
  await admin.getByRole('button', { name: 'Copy link' }).click();
  await expect(admin.getByText(/^(Link copied\.|Copying was refused: select the link and copy it yourself\.)$/)).toBeVisible();
  await axeCheck(admin, 'the project page with its invite links');

  // The newcomer's side: the preview, sign up, verify, join.
  const newcomer = email('newcomer');
  const page = await open();
  await page.goto(joinLink);
  await expect(heading(page, `Olga Owner invited you to ${project}`)).toBeVisible();
  const shownFacts = await facts(page);
  expect(shownFacts['Role']).toBe('Contributor');
  expect(shownFacts['Who may join']).toBe('Emails at example.test');
  await expect(heading(page, `Sign up or log in to join ${project}`)).toBeVisible();
  await axeCheckNarrow(page, 'the join page');
  await shoot(page, 'join-page');
  // Sign-up keeps the invitation in view and comes straight back: no "Check your email" stop.
  await main(page).getByRole('link', { name: 'Sign up' }).click();
  await expect(heading(page, `Sign up to join ${project}`)).toBeVisible();
  await expect(main(page).getByText(`Olga Owner invited you to ${project} as Contributor.`)).toBeVisible();
  await page.getByLabel('Your name').fill('Nina Newcomer');
  await page.getByLabel('Email').fill(newcomer);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up and continue' }).click();
  await expect(heading(page, 'Verify your email to join')).toBeVisible();
  await expect(main(page).getByText('You need a verified email to invite people')).toHaveCount(0);
  await axeCheck(page, 'the join page, waiting for a verified email');
  await page.goto(await linkIn(newcomer, '/verify-email/'));
  await expect.poll(async () => (await sql('SELECT 1 FROM users WHERE email = $1 AND email_verified_at IS NOT NULL', newcomer)).length,
    'the email to be verified').toBe(1);
  await page.goto(joinLink);
  await expect(heading(page, `Join ${project}?`)).toBeVisible();
  await page.getByRole('button', { name: `Join ${project}` }).click();
  await expect(heading(page, `You have joined ${project}`)).toBeVisible();
  expect((await membership(newcomer, project))?.role).toBe('CONTRIBUTOR');
  // Opened again by a member, the link leads into the project.
  await page.goto(joinLink);
  await expect(heading(page, `You are a member of ${project} already`)).toBeVisible();
  await page.getByRole('link', { name: `Open ${project}` }).click();
  await expect(heading(page, project)).toBeVisible();
  expect((await sql<{ uses: number }>('SELECT uses FROM invite_links WHERE project_id = $1', projectId))[0]?.uses).toBe(1);

  // The admin sees the use and revokes the link; the link then says it was withdrawn.
  await admin.reload();
  await expect(admin.getByRole('heading', { name: /^Invite links \(1\)$/ })).toBeVisible();
  expect(await links.getByRole('row').nth(1).innerText()).toMatch(/1 of 2/);
  await admin.getByRole('button', { name: /^Revoke the Contributor link made / }).click();
  await admin.getByRole('dialog', { name: 'Revoke this invite link?' }).getByRole('button', { name: 'Revoke the link' }).click();
  await expect(admin.getByRole('status').filter({ hasText: /^Revoked the Contributor link made / })).toBeVisible();
  await expect(links.getByRole('cell', { name: 'Revoked', exact: true })).toBeVisible();
  // (Someone who is not a member yet: a member is shown the way into the project instead.)
  const stranger = await open();
  await stranger.goto(joinLink);
  await expect(stranger.getByText('This link was withdrawn, so it cannot be used any more.')).toBeVisible();

  // A token that names nothing.
  await page.goto('/join/not-a-real-token');
  await expect(heading(page, 'This link is not valid')).toBeVisible();
  await axeCheck(page, 'the join page of a bad link');
});
