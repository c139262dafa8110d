// A forgotten password, reset through the emailed link; and a password changed on the account page.
import { LogInDocument, MeDocument } from '@invites/client';
import { email, gql, linkIn, signUp } from './api';
import { axeCheck, expect, heading, main, shoot, test } from './fixtures';

test('a forgotten password: the log-in page links to a reset, the emailed link sets a new one and signs in', async ({ open }) => {
  const address = email('forgot');
  await signUp(address, 'Fay Forgot');
  const page = await open();
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(heading(page, 'Forgot your password?')).toBeVisible();
  await axeCheck(page, 'the forgot-password page');
  await page.getByLabel('Email').fill(address);
  await page.getByRole('button', { name: 'Send me a reset link' }).click();
  await expect(heading(page, 'Check your email')).toBeVisible();
  await expect(main(page).getByText(`If an account has the email ${address}, we have sent it a link`)).toBeVisible();
  await axeCheck(page, 'the forgot-password page, sent');
  await shoot(page, 'forgot-password');
  const link = await linkIn(address, '/reset-password/', 2);

  const reset = await open();
  await reset.goto(link);
  await expect(heading(reset, 'Choose a new password')).toBeVisible();
  await axeCheck(reset, 'the reset-password page');
  await reset.getByLabel('New password').fill('short');
  await reset.getByRole('button', { name: 'Set my new password' }).click();
  await expect(main(reset).getByText('Password must be 8 to 256 characters.')).toBeVisible();
  await expect(reset.getByLabel('New password')).toHaveAttribute('aria-invalid', 'true');
  await axeCheck(reset, 'the reset-password page with an error');
  await reset.getByLabel('New password').fill('a brand new password');
  await reset.getByRole('button', { name: 'Set my new password' }).click();
  await expect(heading(reset, 'Your password is changed')).toBeVisible();
  await shoot(reset, 'reset-password');
  const token = await reset.evaluate(() => window.localStorage.getItem('invites.session'));
  const { me } = await gql(MeDocument, {}, token ?? undefined);
  expect({ email: me?.email, emailVerified: me?.emailVerified }, 'signed in, the email verified by the link').toEqual({ email: address, emailVerified: true });
  await gql(LogInDocument, { input: { email: address, password: 'a brand new password' } });

  // The link works once: opened again, it says so in words as the page opens, before anyone
  // types a new password.
  const again = await open();
  await again.goto(link);
  await expect(heading(again, 'This link is not valid')).toBeVisible();
  await expect(again.getByLabel('New password')).toHaveCount(0);
  await axeCheck(again, 'the reset-password page for a used link');
  await again.getByRole('link', { name: 'Ask for a new link' }).click();
  await expect(heading(again, 'Forgot your password?')).toBeVisible();

  // Changing the password on the account page, from the header's link.
  await reset.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: address }).click();
  await expect(heading(reset, 'Your account')).toBeVisible();
  await reset.getByLabel('Current password').fill('not it at all');
  await reset.getByLabel('New password').fill('the third password');
  await reset.getByRole('button', { name: 'Change password' }).click();
  await expect(main(reset).getByText('The current password is wrong.')).toBeVisible();
  await axeCheck(reset, 'the account page with an error');
  await reset.getByLabel('Current password').fill('a brand new password');
  await reset.getByRole('button', { name: 'Change password' }).click();
  await expect(main(reset).getByText('Your password is changed. Every other session of your account has ended.')).toBeVisible();
  await gql(LogInDocument, { input: { email: address, password: 'the third password' } });
  await shoot(reset, 'account');
});
