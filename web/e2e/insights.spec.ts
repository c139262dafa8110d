// How a project's invitations are doing, as an admin reads it: the funnel, the time to accept,
// and the counts by week, inviter and batch, each drawn as a chart with its numbers in a table,
// from a known set of invites.
import { DeclineInviteDocument, InvitationDocument, ProjectInsightsDocument } from '@invites/client';
import type { Page } from '@playwright/test';
import { createProject, email, fixture, gql, invite, linkIn, signUpInvited, sql, tokenOf, unique } from './api';
import { axeCheckNarrow, expect, heading, shoot, test } from './fixtures';

/** A table's rows as arrays of cell texts, header row first. */
async function tableOf(page: Page, name: string): Promise<string[][]> {
  const table = page.getByRole('region', { name }).getByRole('table');
  return table.evaluate((t) => Array.from(t.querySelectorAll('tr')).map((tr) => Array.from(tr.children).map((c) => (c as HTMLElement).innerText.trim())));
}

test('insights: the funnel, the time to accept, by week, inviter and batch, as charts and tables', async ({ open, owner }) => {
  const project = `Insights ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const [accepts, declines, waits] = [email('accepts'), email('declines'), email('waits')];
  const bounces = fixture.bounces[0]!;
  for (const a of [accepts, declines, waits, bounces]) await invite(owner.token, projectId, a);
  // Opened (the preview shown), then accepted; another declined; the bounce fails for good.
  const token = tokenOf(await linkIn(accepts, '/invite/'));
  await gql(InvitationDocument, { token });
  await signUpInvited(accepts, 'Alma Accepts');
  await gql(DeclineInviteDocument, { input: { token: tokenOf(await linkIn(declines, '/invite/')) } });
  await linkIn(waits, '/invite/');
  await expect.poll(async () => (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM emails e JOIN invites i ON i.email_id = e.id
    WHERE i.project_id = $1 AND e.status IN ('SENT', 'FAILED_PERMANENT')`, projectId))[0]?.n, 'every invite email settled').toBe(4);
  const api = (await gql(ProjectInsightsDocument, { id: projectId }, owner.token)).project!.insights;
  expect([api.sent, api.accepted, api.declined, api.failed, api.delivered]).toEqual([4, 1, 1, 1, 3]);

  const page = await open({ token: owner.token });
  await page.goto(`/projects/${encodeURIComponent(projectId)}/insights`);
  await expect(heading(page, project)).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Insights' })).toHaveAttribute('aria-selected', 'true');
  expect(await tableOf(page, 'Funnel in numbers')).toEqual([
    ['Step', 'Invitations', 'Of sent'],
    ['Sent', '4', '100%'], ['Delivered', '3', '75%'], ['Opened', String(api.opened), `${Math.round((100 * api.opened) / 4)}%`],
    ['Accepted', '1', '25%'], ['Declined', '1', '25%'], ['Expired', '0', '0%'], ['Failed', '1', '25%'],
  ]);
  // The chart: a drawn canvas named by the same numbers.
  const funnel = page.getByRole('img', { name: /^Invitation funnel: 4 sent, 3 delivered, \d+ opened, 1 accepted, 1 declined, 0 expired, 1 failed$/ });
  await expect(funnel).toBeVisible();
  expect((await funnel.boundingBox())!.height).toBeGreaterThan(100);
  // Chart.js comes in a chunk of its own: the canvas is drawn once it has loaded.
  await expect.poll(() => funnel.evaluate((c: HTMLCanvasElement) => c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.some((v) => v !== 0)), 'the chart drew').toBe(true);

  const facts = page.getByRole('region', { name: 'Time to accept' });
  await expect(facts.getByRole('definition').first()).not.toHaveText('none accepted yet');
  const weeks = await tableOf(page, 'By week in numbers');
  expect(weeks.slice(1).map((r) => r.slice(1))).toEqual([['4', String(api.opened), '1', '25%']]);
  expect(await tableOf(page, 'By inviter in numbers')).toEqual([
    ['Inviter', 'Sent', 'Opened', 'Accepted', 'Accepted of sent'], [owner.name, '4', String(api.opened), '1', '25%'],
  ]);
  await expect(page.getByRole('img', { name: `By inviter: ${owner.name}: 4 sent, ${api.opened} opened, 1 accepted` })).toBeVisible();
  await expect(page.getByRole('region', { name: 'By batch' }).getByText('Nothing to show yet.')).toBeVisible();

  await axeCheckNarrow(page, 'the insights page');
  await shoot(page, 'insights');
  await page.setViewportSize({ width: 390, height: 844 });
  expect((await funnel.boundingBox())!.width, 'the chart fits a phone').toBeLessThanOrEqual(390);
});
