// The webhooks page: an admin adds an endpoint (the fixture's control server, whose first post
// to each path it refuses), retries the failed delivery, rotates the secret, pages through the
// delivery log and disables the endpoint; and a slow earlier listing answering late.
import { createProject, email, fixture, invite, signUpVerified, sql, unique } from './api';
import { axeCheck, expect, heading, shoot, test } from './fixtures';
import { holdNext, variablesOf } from './hold';

test('an admin adds a webhook endpoint, retries its failed delivery, rotates its secret, pages its log and disables it', async ({ open }) => {
  const token = await signUpVerified(email('hooks-owner'), 'Hana Hooks');
  const name = `Hooks ${unique()}`;
  const projectId = await createProject(token, name);
  const page = await open({ token });
  await page.goto(`/projects/${encodeURIComponent(projectId)}`);
  await page.getByRole('tab', { name: 'Webhooks' }).click();
  await expect(page.getByRole('tab', { name: 'Webhooks' })).toHaveAttribute('aria-current', 'page');
  await expect(heading(page, 'Add an endpoint')).toBeVisible();
  // A private address is refused, with the reason.
  await page.getByLabel('URL').fill('https://10.0.0.1/hook');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /10\.0\.0\.1 is not a public address/ })).toBeVisible();
  const url = `${fixture.control}/hook/${unique()}`;
  await page.getByLabel('URL').fill(url);
  await page.getByLabel('invite.created').check();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const ep = page.getByRole('article', { name: `Endpoint ${url}` });
  await expect(ep.getByText('Enabled · invite.created')).toBeVisible();
  const secretShown = page.getByRole('region', { name: 'Signing secret' }).getByRole('code');
  const secret = await secretShown.innerText();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  await axeCheck(page, 'the webhooks page');

  // The endpoint refuses the first post (400): FAILED at once; a retry delivers it.
  await invite(token, projectId, email('hooked'));
  const retry = ep.getByRole('button', { name: 'Retry the invite.created delivery' });
  await expect.poll(async () => {
    await ep.getByRole('button', { name: 'Refresh' }).click();
    return retry.count();
  }, 'the failed delivery shown').toBe(1);
  await expect(ep.getByRole('cell', { name: '400' })).toHaveCount(1);
  await retry.click();
  await expect.poll(async () => {
    await ep.getByRole('button', { name: 'Refresh' }).click();
    return ep.getByRole('cell', { name: 'Delivered' }).count();
  }, 'the delivery delivered').toBe(1);
  await expect(ep.getByRole('cell', { name: '204' })).toHaveCount(1);
  await shoot(page, 'webhooks');

  await ep.getByRole('button', { name: 'Rotate secret' }).click();
  await expect(secretShown, 'a new secret shown').not.toHaveText(secret);
  await expect(secretShown).toHaveText(/^whsec_/);
  // The log shows ten deliveries at a time, newest first; "Show more" adds the older ones.
  for (let i = 0; i < 10; i++) await invite(token, projectId, email(`hooked-${i}`));
  const log = ep.getByRole('table');
  await expect.poll(async () => {
    await ep.getByRole('button', { name: 'Refresh' }).click();
    return log.getByRole('caption').innerText();
  }, 'eleven deliveries logged').toBe('Deliveries (11), newest first');
  await expect(log.getByRole('row')).toHaveCount(1 + 10);
  await expect(ep.getByText('Showing 10 of 11 deliveries.')).toBeVisible();
  // The poll's last Refresh may still be on its way, and on a busy machine answer after "Show
  // more" with the first page again: click until the older delivery stays.
  const more = ep.getByRole('button', { name: 'Show more deliveries' });
  await expect(async () => {
    if (await more.count()) await more.click({ timeout: 5_000 });
    await expect(log.getByRole('row')).toHaveCount(1 + 11, { timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  await expect(more).toHaveCount(0);

  await ep.getByRole('button', { name: 'Disable' }).click();
  await expect(ep.getByText('Disabled · invite.created')).toBeVisible();
  expect((await sql<{ enabled: boolean }>('SELECT enabled FROM webhook_endpoints WHERE url = $1', url)).map((r) => r.enabled)).toEqual([false]);
});

test('a slow earlier listing of the endpoints does not replace the listing after an endpoint is added', async ({ open }) => {
  const token = await signUpVerified(email('hooks-order'), 'Otto Order');
  const projectId = await createProject(token, `Hooks order ${unique()}`);
  const page = await open({ token });
  // The page's first listing is read at once (no endpoint yet), but its answer is held until the
  // listing that follows adding an endpoint has been shown.
  const held = await holdNext(page, 'ProjectWebhooks');
  await page.goto(`/projects/${encodeURIComponent(projectId)}/webhooks`);
  expect(variablesOf(await held.caught()).projectId).toBe(projectId);

  const url = `${fixture.control}/hook/${unique()}`;
  await page.getByLabel('URL').fill(url);
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const ep = page.getByRole('article', { name: `Endpoint ${url}` });
  await expect(ep).toBeVisible();

  // Now the older answer: the newer listing still shows.
  await held.release();
  await expect(page.getByText('No endpoints yet.')).toHaveCount(0);
  await expect(ep).toBeVisible();
});
