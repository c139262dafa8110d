// The project's console as an admin uses it: tabs that are addresses of their own (and work from
// the keyboard), one invitation found among many by the server's search, the status filter,
// several invitations revoked at once after a confirmation (a row that could not be revoked
// named with its reason), members removed and their roles changed after a confirmation, each
// change said in words; at 1280×800 and 390×844, checked by axe.
import type { Page } from '@playwright/test';
import { BulkInviteDocument, ProjectInvitesDocument, RevokeInvitesDocument } from '@invites/client';
import { createProject, email, gql, invite, membership, signUpInvited, sql, unique } from './api';
import { axeCheck, expect, heading, shoot, test } from './fixtures';

const sizes = [{ width: 1280, height: 800 }, { width: 390, height: 844 }] as const;

/** Fails when the table's frame must scroll sideways: every cell's text stays inside the page. */
async function fitsWidth(page: Page, what: string): Promise<void> {
  const frame = page.getByRole('region', { name: what, exact: true });
  const [scroll, client] = await frame.evaluate((el) => [el.scrollWidth, el.clientWidth]);
  expect(scroll, `${what}: the table fits its frame`).toBeLessThanOrEqual(client);
}

for (const size of sizes) {
  test(`invitations at ${size.width}px: tabs, search among many, filter, revoke several after confirming`, async ({ open, owner }) => {
    const project = `Console ${unique()}`;
    const projectId = await createProject(owner.token, project);
    const needle = email('needle');
    const rows: { email: string; externalId?: string; name?: string }[] = Array.from({ length: 145 }, (_, i) => ({ email: email(`crowd-${i}`) }));
    const picks = Array.from({ length: 5 }, (_, i) => email(`pick-${i}`));
    rows.splice(20, 0, ...picks.map((address) => ({ email: address })));
    rows.splice(77, 0, { email: needle, externalId: 'NEEDLE-7', name: 'Nina Needle' });
    await gql(BulkInviteDocument, { input: { projectId, rows } }, owner.token);

    const page = await open({ token: owner.token, width: size.width });
    await page.setViewportSize(size);
    // The tab's own address; the tab marked as the page shown.
    await page.goto(`/projects/${encodeURIComponent(projectId)}/invitations`);
    await expect(heading(page, project)).toBeVisible();
    const tab = (name: string) => page.getByRole('tab', { name, exact: true });
    await expect(tab('Invitations')).toHaveAttribute('aria-current', 'page');
    await expect(tab('Members')).not.toHaveAttribute('aria-current', 'page');
    const invitations = page.getByRole('region', { name: /^Invitations \(/ });
    await expect(invitations.getByRole('heading', { name: 'Invitations (151)' })).toBeVisible();

    // The server searches: one row among 151, by external ID, by email and by name; the
    // address keeps the search, so a reload shows the same.
    const search = page.getByLabel('Search invitations by email, name or external ID');
    const table = page.getByRole('region', { name: 'Invitations', exact: true });
    await search.fill('needle-7');
    await expect(table.getByRole('rowheader')).toHaveText([needle]);
    await expect(page).toHaveURL(/\?q=needle-7$/);
    await page.reload();
    await expect(page.getByLabel('Search invitations by email, name or external ID')).toHaveValue('needle-7');
    await expect(table.getByRole('rowheader')).toHaveText([needle]);
    await search.fill(needle);
    await expect(table.getByRole('rowheader')).toHaveText([needle]);
    await search.fill('');
    await expect(table.getByRole('rowheader')).toHaveCount(50);
    await search.fill('pick-');
    await expect(table.getByRole('rowheader')).toHaveCount(5);

    // Select three, Revoke: a dialog says what will happen; Escape leaves everything as it was.
    const picked = picks.slice(0, 3);
    for (const address of picked) await table.getByLabel(`Select ${address}`).check();
    await expect(invitations.getByText('3 selected')).toBeVisible();
    await invitations.getByRole('button', { name: 'Revoke selected' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke 3 invitations?' });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('will stop working at once');
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    // The focus stays in the dialog: Tab and Shift+Tab cycle through its buttons.
    await page.keyboard.press('Tab');
    await expect(dialog.getByRole('button', { name: 'Revoke 3 invitations' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(dialog.getByRole('button', { name: 'Revoke 3 invitations' })).toBeFocused();
    await axeCheck(page, `the revoke dialog at ${size.width}px`);
    if (size.width === 1280) await shoot(page, 'confirm-revoke');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    expect(await sql("SELECT count(*)::int AS n FROM invites WHERE email = ANY($1) AND status = 'PENDING'", picked)).toEqual([{ n: 3 }]);
    // Confirmed: the status line says it, the rows say Revoked.
    await invitations.getByRole('button', { name: 'Revoke selected' }).click();
    await dialog.getByRole('button', { name: 'Revoke 3 invitations' }).click();
    await expect(invitations.getByRole('status').filter({ hasText: '3 invitations revoked.' })).toBeVisible();
    // (On a phone, each cell is read with its column's name first: "Email: …", "Status: Revoked".)
    const rowOf = (address: string) => table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^(Email: )?${address.replace(/[.]/g, '\\.')}$`) }) });
    for (const address of picked) await expect(rowOf(address).getByRole('cell', { name: /^(Status: )?Revoked$/ })).toBeVisible();
    expect(await sql("SELECT count(*)::int AS n FROM invites WHERE email = ANY($1) AND status = 'REVOKED'", picked)).toEqual([{ n: 3 }]);

    // The status filter ("Awaiting response", not "Pending", which is a role) leaves them out.
    await page.getByLabel('Filter by status').selectOption({ label: 'Awaiting response' });
    await expect(page).toHaveURL(/status=PENDING/);
    await expect(invitations.getByRole('heading', { name: 'Invitations (2)' })).toBeVisible();
    await expect(rowOf(picked[0]!)).toHaveCount(0);

    // A row revoked elsewhere meanwhile: the other is revoked, and that one is named with why not.
    const [a, b] = [picks[3]!, picks[4]!];
    await table.getByLabel(`Select ${a}`).check();
    await table.getByLabel(`Select ${b}`).check();
    const found = await gql(ProjectInvitesDocument, { id: projectId, first: 1, search: b }, owner.token);
    const idB = found.project!.invites.edges[0]!.node.id;
    await invitations.getByRole('button', { name: 'Revoke selected' }).click();
    await gql(RevokeInvitesDocument, { ids: [idB] }, owner.token);
    await page.getByRole('dialog', { name: 'Revoke 2 invitations?' }).getByRole('button', { name: 'Revoke 2 invitations' }).click();
    await expect(invitations.getByRole('status').filter({ hasText: '1 invitation revoked. 1 could not be: the reasons are below.' })).toBeVisible();
    const failed = invitations.getByRole('region', { name: 'Could not revoke' });
    await expect(failed.getByText(b)).toBeVisible();
    await expect(failed).toContainText('already accepted, declined or withdrawn');

    // Each row's Resend and Revoke side by side, the table within the page.
    await search.fill(needle);
    await expect(table.getByRole('rowheader')).toHaveText([needle]);
    const buttons = rowOf(needle).getByRole('button');
    const [resend, revoke] = [await buttons.nth(0).boundingBox(), await buttons.nth(1).boundingBox()];
    expect(Math.abs(resend!.y - revoke!.y), 'Resend and Revoke on one line').toBeLessThan(2);
    await fitsWidth(page, 'Invitations');
    await rowOf(needle).getByRole('button', { name: `Resend to ${needle}` }).click();
    await expect(invitations.getByRole('status').filter({ hasText: `Sent again to ${needle}.` })).toBeVisible();
    await axeCheck(page, `the invitations tab at ${size.width}px`);
    if (size.width === 1280) await shoot(page, 'project-invitations');

    // The tabs from the keyboard: arrows move among them, Enter opens one.
    await tab('Invitations').focus();
    await page.keyboard.press('ArrowRight');
    await expect(tab('Invite links')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`/projects/${projectId}/links$`));
    await expect(page.getByRole('form', { name: 'Make an invite link' })).toBeVisible();
    await expect(tab('Invite links')).toHaveAttribute('aria-current', 'page');
    await axeCheck(page, `the invite links tab at ${size.width}px`);
    if (size.width === 1280) await shoot(page, 'project-links');
    await page.keyboard.press('End');
    await page.goBack();
    await expect(page).toHaveURL(/\/invitations/);
    await tab('Members').click();
    await expect(page).toHaveURL(new RegExp(`/projects/${projectId}$`));
    await expect(page.getByRole('heading', { name: 'Members (1)' })).toBeVisible();
    await tab('Webhooks').click();
    await expect(tab('Webhooks')).toHaveAttribute('aria-current', 'page');
    await expect(heading(page, 'Add an endpoint')).toBeVisible();
    if (size.width === 1280) await shoot(page, 'project-webhooks');
  });

  test(`members at ${size.width}px: search, role filter, a role change and removals, each confirmed and acknowledged`, async ({ open, owner }) => {
    const project = `Crew ${unique()}`;
    const projectId = await createProject(owner.token, project);
    const people = [['cara', 'Cara Contributor'], ['dan', 'Dan Doe'], ['eve', 'Eve Extra']] as const;
    const addresses: Record<string, string> = {};
    for (const [key] of people) {
      addresses[key] = email(key);
      await invite(owner.token, projectId, addresses[key]!, key === 'dan' ? { externalId: 'D-42' } : {});
    }
    for (const [key, name] of people) await signUpInvited(addresses[key]!, name);

    const page = await open({ token: owner.token, width: size.width });
    await page.setViewportSize(size);
    await page.goto(`/projects/${encodeURIComponent(projectId)}`);
    const members = page.getByRole('region', { name: /^Members \(/ });
    await expect(members.getByRole('heading', { name: 'Members (4)' })).toBeVisible();
    const table = page.getByRole('region', { name: 'Members', exact: true });

    // Search by external ID and by name, done by the server; the role filter.
    const search = page.getByLabel('Search members by name, email or external ID');
    await search.fill('d-42');
    await expect(table.getByRole('rowheader')).toHaveText(['Dan Doe']);
    await search.fill('eve extra');
    await expect(table.getByRole('rowheader')).toHaveText(['Eve Extra']);
    await search.fill('');
    await page.getByLabel('Filter by role').selectOption('OWNER');
    await expect(table.getByRole('rowheader')).toHaveText([/Olga Owner/]);
    await page.getByLabel('Filter by role').selectOption('');
    await expect(table.getByRole('rowheader')).toHaveCount(4);
    await axeCheck(page, `the members tab at ${size.width}px`);
    if (size.width === 1280) await shoot(page, 'project-members');

    // A role change asks first; Cancel keeps the role, confirming makes it and says so.
    await table.getByLabel('Role of Cara Contributor').selectOption('ADMIN');
    const ask = page.getByRole('dialog', { name: 'Make Cara Contributor Admin?' });
    await expect(ask).toContainText('Cara Contributor is Contributor now');
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await expect(ask).toBeHidden();
    await expect(table.getByLabel('Role of Cara Contributor')).toHaveValue('CONTRIBUTOR');
    expect((await membership(addresses.cara!, project))?.role).toBe('CONTRIBUTOR');
    await table.getByLabel('Role of Cara Contributor').selectOption('ADMIN');
    await ask.getByRole('button', { name: 'Make Cara Contributor Admin' }).click();
    await expect(members.getByRole('status').filter({ hasText: 'Cara Contributor is now Admin.' })).toBeVisible();
    expect((await membership(addresses.cara!, project))?.role).toBe('ADMIN');

    // Remove one, confirmed in a dialog that says what happens.
    await table.getByRole('button', { name: 'Remove Dan Doe' }).click();
    const removeDan = page.getByRole('dialog', { name: 'Remove Dan Doe?' });
    await expect(removeDan).toContainText(`will lose access to ${project} at once`);
    await axeCheck(page, `the remove dialog at ${size.width}px`);
    await removeDan.getByRole('button', { name: 'Remove Dan Doe' }).click();
    await expect(members.getByRole('status').filter({ hasText: `Dan Doe was removed from ${project}.` })).toBeVisible();
    await expect(members.getByRole('heading', { name: 'Members (3)' })).toBeVisible();
    expect(await membership(addresses.dan!, project)).toBeUndefined();

    // Select all on the page (only those the owner may remove), Remove selected.
    await members.getByLabel('Select all members shown').check();
    await expect(members.getByText('2 selected')).toBeVisible();
    await members.getByRole('button', { name: 'Remove selected' }).click();
    await page.getByRole('dialog', { name: 'Remove 2 members?' }).getByRole('button', { name: 'Remove 2 members' }).click();
    await expect(members.getByRole('status').filter({ hasText: '2 of 2 members removed.' })).toBeVisible();
    await expect(members.getByRole('heading', { name: 'Members (1)' })).toBeVisible();
    expect(await membership(addresses.eve!, project)).toBeUndefined();
    await fitsWidth(page, 'Members');
  });
}

test('a contributor sees the members, without tabs, checkboxes or actions; an admin tab tells them it is not for them', async ({ open, owner }) => {
  const project = `Readers ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const reader = email('reader');
  await invite(owner.token, projectId, reader);
  const token = await signUpInvited(reader, 'Rita Reader');

  const page = await open({ token });
  await page.goto(`/projects/${encodeURIComponent(projectId)}`);
  await expect(page.getByRole('heading', { name: 'Members (2)' })).toBeVisible();
  await expect(page.getByRole('tablist')).toHaveCount(0);
  await expect(page.getByRole('checkbox')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Remove/ })).toHaveCount(0);
  await page.goto(`/projects/${encodeURIComponent(projectId)}/invitations`);
  await expect(page.getByText("Only a project's admins and its owner can see this.")).toBeVisible();
  await page.getByRole('link', { name: 'See its members' }).click();
  await expect(page.getByRole('heading', { name: 'Members (2)' })).toBeVisible();
});
