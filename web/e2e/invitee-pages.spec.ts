// The invitee's pages as Clerk's and Slack's are (issue 21): a centred card that names the
// project, who invites and what the role allows, with a button for each next step; the
// invitation kept through log-in, sign-up and a forgotten password; an app-styled 404; and a
// word when a session has ended. Each at a laptop's and a phone's width.
import { CreateInviteLinkDocument, LogOutDocument } from '@invites/client';
import { createProject, email, gql, invite, linkIn, membership, password, signUp, signUpVerified, unique } from './api';
import { axeCheck, expect, heading, main, shoot, test, watchOf } from './fixtures';
import type { Page } from '@playwright/test';

const sizes = [{ width: 1280, height: 800 }, { width: 390, height: 844 }] as const;

/** Fails when the page scrolls sideways: everything fits the screen's width. */
async function fitsWidth(page: Page, what: string): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, `${what}: the page is wider than the screen`).toBeLessThanOrEqual(width);
}

for (const size of sizes) {
  test(`${size.width} px: a forgotten password on the way to an invite keeps the invite and the email`, async ({ open, owner }) => {
    const project = `Physics ${unique()}`;
    const projectId = await createProject(owner.token, project);
    const invitee = email('forgetful');
    await signUpVerified(invitee, 'Fred Forgetful');
    await invite(owner.token, projectId, invitee);
    const link = await linkIn(invitee, '/invite/');

    const page = await open({ width: size.width });
    await page.setViewportSize(size);
    await page.goto(link);
    await expect(heading(page, `Olga Owner invited you to ${project}`)).toBeVisible();
    await expect(heading(page, 'Log in to accept')).toBeVisible();
    await fitsWidth(page, 'the invite page');
    await axeCheck(page, `the invite page at ${size.width} px`);

    await main(page).getByRole('link', { name: 'Forgot your password?' }).click();
    await expect(heading(page, 'Forgot your password?')).toBeVisible();
    await expect(main(page).getByText(`Olga Owner invited you to ${project} as Contributor.`)).toBeVisible();
    await expect(page.getByLabel('Email'), 'the email carried over').toHaveValue(invitee);
    await fitsWidth(page, 'the forgot-password page');
    await axeCheck(page, `the forgot-password page with an invitation at ${size.width} px`);
    if (size.width === 1280) await shoot(page, 'forgot-password-for-invite');
    await page.getByRole('button', { name: 'Send me a reset link' }).click();
    await expect(heading(page, 'Check your email')).toBeVisible();
    await expect(main(page).getByText(`take you back to ${project}`)).toBeVisible();

    // The emailed link, opened in the same browser, leads back to the invitation.
    await page.goto(await linkIn(invitee, '/reset-password/'));
    await fitsWidth(page, 'the reset-password page');
    await page.getByLabel('New password').fill('a fresh password');
    await page.getByRole('button', { name: 'Set my new password' }).click();
    await expect(heading(page, 'Your password is changed')).toBeVisible();
    await page.getByRole('link', { name: 'Back to your invitation' }).click();
    await expect(heading(page, `Join ${project}?`)).toBeVisible();
    await page.getByRole('button', { name: 'Accept the invite' }).click();
    await expect(heading(page, `You have joined ${project}`)).toBeVisible();
    await expect(page.getByRole('link', { name: `Open ${project}` })).toBeVisible();
    await fitsWidth(page, 'the joined page');
    expect((await membership(invitee, project))?.role).toBe('CONTRIBUTOR');
  });

  test(`${size.width} px: an invite link's log-in names the project and comes back to join`, async ({ open, owner }) => {
    const project = `Chemistry ${unique()}`;
    const projectId = await createProject(owner.token, project);
    const { createInviteLink } = await gql(CreateInviteLinkDocument, { input: { projectId, role: 'PENDING' } }, owner.token);
    const person = email('linked');
    await signUp(person, 'Lena Linked');

    const page = await open({ width: size.width });
    await page.setViewportSize(size);
    await page.goto(createInviteLink.url);
    await expect(heading(page, `Olga Owner invited you to ${project}`)).toBeVisible();
    await expect(main(page).getByText('Pending. You join the project; an admin decides later what you can see and do in it.')).toBeVisible();
    await fitsWidth(page, 'the join page');
    await axeCheck(page, `the join page at ${size.width} px`);
    await main(page).getByRole('link', { name: 'Log in' }).click();
    await expect(heading(page, `Log in to join ${project}`)).toBeVisible();
    await fitsWidth(page, 'the log-in page');
    await axeCheck(page, `the log-in page with an invitation at ${size.width} px`);
    if (size.width === 1280) await shoot(page, 'log-in-to-join');
    await page.getByLabel('Email').fill(person);
    await page.getByLabel('Password').fill(password);
    await main(page).getByRole('button', { name: 'Log in' }).click();
    await expect(heading(page, `Join ${project}?`)).toBeVisible();
    await page.getByRole('button', { name: `Join ${project}` }).click();
    await expect(heading(page, `You have joined ${project}`)).toBeVisible();
    await page.getByRole('link', { name: `Open ${project}` }).click();
    await expect(heading(page, project)).toBeVisible();
  });

  test(`${size.width} px: an unknown address shows the app's own 404 page, the API's paths a plain one`, async ({ open }) => {
    const page = await open({ width: size.width });
    await page.setViewportSize(size);
    const response = await page.goto('/no-such-page/here');
    expect(response?.status()).toBe(404);
    // The browser reports the page's own 404 status in the console: that one is expected.
    const problems = watchOf(page).problems;
    await expect.poll(() => problems.findIndex((p) => p.includes('status of 404')), 'the 404 reported').toBeGreaterThanOrEqual(0);
    problems.splice(problems.findIndex((p) => p.includes('status of 404')), 1);
    await expect(heading(page, 'Page not found')).toBeVisible();
    await fitsWidth(page, 'the 404 page');
    await axeCheck(page, `the 404 page at ${size.width} px`);
    if (size.width === 1280) await shoot(page, 'not-found'); // shoot takes both widths
    await page.getByRole('link', { name: 'Go to the start page' }).click();
    await expect(page).toHaveURL(/\/$/);

    for (const path of ['/graphql/x', '/api/users', '/assets/missing.js']) {
      const plain = await page.request.get(path, { headers: { Accept: 'text/html' } });
      expect(plain.status(), path).toBe(404);
      expect(await plain.text(), `${path}: a plain 404`).toBe('404 page not found\n');
    }
  });

  test(`${size.width} px: a session that ended says so and offers to log in again`, async ({ open }) => {
    const person = email('ended');
    const token = await signUp(person, 'Erin Ended');
    const page = await open({ token, width: size.width });
    await page.setViewportSize(size);
    await page.goto('/account');
    await expect(heading(page, 'Your account')).toBeVisible();
    await gql(LogOutDocument, {}, token); // ended elsewhere (another tab, or it expired)
    await page.reload();
    await expect(main(page).getByText('Your session has ended, so you are logged out.')).toBeVisible();
    await fitsWidth(page, 'the session-ended notice');
    await axeCheck(page, `the session-ended notice at ${size.width} px`);
    if (size.width === 1280) await shoot(page, 'session-ended');
    await main(page).getByRole('link', { name: 'Log in again' }).click();
    await expect(heading(page, 'Log in')).toBeVisible();
    await page.getByLabel('Email').fill(person);
    await page.getByLabel('Password').fill(password);
    await main(page).getByRole('button', { name: 'Log in' }).click();
    await expect(main(page).getByText(`You are logged in as ${person}.`)).toBeVisible();
    await expect(main(page).getByText('Your session has ended')).toHaveCount(0);
  });
}
