// ?next= takes a person back to a page of the app after log-in or sign-up, and never to
// another site, whatever form the address takes (issue 19: "/signup?next=/%09/host" rendered
// "Continue" with a link to http://host/, because a browser drops the tab).
import { email, password } from './api';
import { expect, heading, test } from './fixtures';

// Each as it would stand in the query string.
const elsewhere = [
  '/%09/evil.example', '/%0A/evil.example', '/%0D/evil.example', '/%09%0A/evil.example',
  '//evil.example', '/%2Fevil.example', '%2F%2Fevil.example', '/%5Cevil.example', '%5C%5Cevil.example',
  '/%5C/evil.example', '/%09%5C/evil.example', 'https://evil.example/', 'https:evil.example',
  'javascript:alert(1)', '%20//evil.example', 'http://127.0.0.1:1/',
];

test('a next= that leads off the site is dropped, one that stays is kept', async ({ open }) => {
  const page = await open();
  for (const next of elsewhere) {
    await page.goto(`/login?next=${next}`);
    await expect(heading(page, 'Log in')).toBeVisible();
    // The sign-up link carries next on only when it stays on this site.
    const href = await page.getByRole('link', { name: 'Sign up' }).last().getAttribute('href');
    expect(href, `next=${next}`).toBe('/signup');
  }
  await page.goto(`/login?next=${encodeURIComponent('/projects/42?tab=invites#top')}`);
  const kept = await page.getByRole('link', { name: 'Sign up' }).last().getAttribute('href');
  expect(kept).toBe(`/signup?next=${encodeURIComponent('/projects/42?tab=invites#top')}`);
});

test('after signing up, Continue stays on the site', async ({ open }) => {
  const page = await open();
  await page.goto('/signup?next=/%09/evil.example');
  await page.getByLabel('Your name').fill('Nell Next');
  await page.getByLabel('Email').fill(email('next'));
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(heading(page, 'Check your email')).toBeVisible();
  const href = await page.getByRole('link', { name: 'Continue' }).getAttribute('href');
  expect(new URL(href!, page.url()).origin).toBe(new URL(page.url()).origin);
  expect(href).toBe('/');
});
