// Signing up from the start page, then verifying the email from its link.
import { createProject, email, invite, linkIn, membership, password, unique } from './api';
import { expect, heading, main, test } from './fixtures';

test('signing up, then verifying the email from its link, joins the projects that invited it', async ({ open, owner }) => {
  const project = `Verify ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const person = email('verify');
  await invite(owner.token, projectId, person);
  await linkIn(person, '/invite/');

  const page = await open();
  await page.goto('/');
  await page.getByRole('link', { name: 'Sign up' }).first().click();
  await expect(heading(page, 'Sign up')).toBeVisible();
  await page.getByLabel('Your name').fill('Vera Verify');
  await page.getByLabel('Email').fill(person);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(heading(page, 'Check your email')).toBeVisible();
  const link = await linkIn(person, '/verify-email/', 2);
  await page.goto(link);
  await expect(heading(page, 'Your email is verified')).toBeVisible();
  await expect(main(page).getByText(`you have joined ${project}.`)).toBeVisible();
  expect((await membership(person, project))?.role).toBe('CONTRIBUTOR');
  await page.goto(link);
  await expect(heading(page, 'This verification link is not valid')).toBeVisible();
});
