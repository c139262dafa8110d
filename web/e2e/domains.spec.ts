// Verified domains and joining through them (SPEC §16), at 1280×800 and 390×844: an admin adds
// a domain (a free-mail one and a non-domain refused in words), copies its TXT record's name and
// value, "Check now" fails until the spec publishes the record on the fixture's DNS server, then
// shows it verified; with SUGGEST, a person with a verified email at the domain sees the
// project under "Projects you can join", joins, and lands in it; with REQUEST, another asks to
// join with a message, sees "Request pending", the admin finds the request in the Requests tab,
// and the asker cancels it; the owner's restrict switch lists the member outside the domain (the owner, at
// example.test), and the domain is removed after a confirmation. Axe-clean at both sizes. An
// admin below the owner sees the switch and an owner-set Admin role, and may change neither.
import type { Page } from '@playwright/test';
import { AddProjectDomainDocument, UpdateProjectDomainDocument, VerifyProjectDomainDocument } from '@invites/client';
import { createProject, fixture, gql, invite, membership, publishTXT, signUpInvited, signUpVerified, unique } from './api';
import { axeCheck, expect, heading, main, shoot, test } from './fixtures';

const sizes = [{ width: 1280, height: 800 }, { width: 390, height: 844 }] as const;

/** What the page's last copy put on the clipboard. */
const clipboard = (page: Page): Promise<string> => page.evaluate(() => navigator.clipboard.readText());

/** The status line's words once they are exactly text. */
async function said(page: Page, text: string): Promise<void> {
  await expect(main(page).getByRole('status').filter({ hasText: text })).toHaveText(text);
}

for (const size of sizes) {
  test(`domains at ${size.width}px: prove by TXT record, join by SUGGEST, ask by REQUEST, restrict`, async ({ open, owner }) => {
    const project = `Domains ${unique()}`;
    const projectId = await createProject(owner.token, project);
    const domain = `acme-${unique()}.test`;

    const admin = await open({ token: owner.token, width: size.width });
    await admin.setViewportSize(size);
    await admin.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: fixture.base });
    await admin.goto(`/projects/${encodeURIComponent(projectId)}/domains`);
    await expect(admin.getByRole('tab', { name: 'Domains', exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(admin.getByRole('heading', { name: 'Domains (0)' })).toBeVisible();

    // Refusals in words: a free-mail provider's domain (FREE_EMAIL_DOMAIN), then not a domain.
    const field = admin.getByLabel('Domain', { exact: true });
    const add = admin.getByRole('button', { name: 'Add domain' });
    await field.fill('gmail.com');
    await add.click();
    await expect(admin.getByRole('alert')).toHaveText("gmail.com is a free-mail provider's domain or a public suffix, which no project can prove. Add your organisation's own domain.");
    await field.fill('not a domain');
    await add.click();
    await expect(admin.getByRole('alert')).toHaveText('“not a domain” is not a domain name. Write one such as example.com.');

    await field.fill(domain);
    await add.click();
    await expect(admin.getByRole('heading', { name: 'Domains (1)' })).toBeVisible();
    await said(admin, `${domain} added. Publish its TXT record, then choose Check now.`);
    const card = admin.getByRole('region', { name: domain, exact: true });
    await expect(card.getByText('Not verified: publish the TXT record below, then choose Check now.')).toBeVisible();
    await expect(card.getByRole('radio', { name: /^Suggest/ })).toBeDisabled();

    // Copy the record's name and value as a person would, then "Check now" before publishing.
    await card.getByRole('button', { name: 'Copy name' }).click();
    await said(admin, `The record's name for ${domain} is copied.`);
    const recordName = await clipboard(admin);
    expect(recordName).toBe(`_invites-challenge.${domain}`);
    await card.getByRole('button', { name: 'Copy value' }).click();
    await said(admin, `The record's value for ${domain} is copied.`);
    const recordValue = await clipboard(admin);
    expect(recordValue).toMatch(/^invites-verification=\S+$/);
    await expect(card.getByText(recordValue, { exact: true })).toBeVisible();

    await card.getByRole('button', { name: 'Check now' }).click();
    await expect(card.getByRole('alert')).toHaveText(`No TXT record ${recordName} with this value was found. DNS changes can take a while to show: check again later.`);
    await expect(card.getByText(/^Check failed on .+: the TXT record was not found\.$/)).toBeVisible();
    await axeCheck(admin, `the Domains tab with an unverified domain at ${size.width}px`);

    await publishTXT(recordName, recordValue);
    await card.getByRole('button', { name: 'Check now' }).click();
    await said(admin, `${domain} is verified.`);
    await expect(card.getByText(/^Verified on /)).toBeVisible();
    await expect(card.getByRole('alert')).toHaveCount(0);

    // SUGGEST, with the role offered among those the owner may give (Contributor or Admin).
    await expect(card.getByLabel('Role on joining')).toHaveValue('CONTRIBUTOR');
    await card.getByRole('radio', { name: /^Suggest/ }).check();
    await card.getByRole('button', { name: 'Save policy' }).click();
    await said(admin, `${domain}: Suggest, joining as Contributor.`);
    await axeCheck(admin, `the Domains tab with a verified domain at ${size.width}px`);
    if (size.width === 1280) await shoot(admin, 'project-domains');

    const joinerEmail = `jo-${unique()}@${domain}`;
    const joiner = await open({ token: await signUpVerified(joinerEmail, 'Jo Joiner'), width: size.width });
    await joiner.setViewportSize(size);
    await joiner.goto('/');
    await expect(heading(joiner, 'Projects you can join')).toBeVisible();
    const offer = joiner.getByRole('listitem').filter({ hasText: project });
    await expect(offer).toContainText(`Open to your email at ${domain}, as Contributor`);
    await axeCheck(joiner, `the start page with a project to join at ${size.width}px`);
    if (size.width === 1280) await shoot(joiner, 'projects-to-join');
    await offer.getByRole('button', { name: `Join ${project}` }).click();
    await expect(joiner).toHaveURL(new RegExp(`/projects/${encodeURIComponent(projectId)}$`));
    await expect(heading(joiner, project)).toBeVisible();
    await expect.poll(async () => (await membership(joinerEmail, project))?.role).toBe('CONTRIBUTOR');
    // A member is offered the project no more: once every list has loaded, no section at all.
    await joiner.goto('/');
    await expect(heading(joiner, 'Invites waiting for you')).toBeVisible();
    await joiner.waitForLoadState('networkidle');
    await expect(heading(joiner, 'Projects you can join')).toHaveCount(0);

    // REQUEST: another person at the domain asks with a message, sees it pending; the admin sees it.
    await card.getByRole('radio', { name: /^Request/ }).check();
    await card.getByRole('button', { name: 'Save policy' }).click();
    await said(admin, `${domain}: Request, joining as Contributor.`);
    const askerEmail = `asa-${unique()}@${domain}`;
    const asker = await open({ token: await signUpVerified(askerEmail, 'Asa Asker'), width: size.width });
    await asker.setViewportSize(size);
    await asker.goto('/');
    const ask = asker.getByRole('listitem').filter({ hasText: project });
    await ask.getByRole('button', { name: `Ask to join ${project}` }).click();
    await ask.getByLabel(`Message for the admins of ${project} (optional)`).fill('I run the lab next door.');
    await ask.getByRole('button', { name: 'Send request' }).click();
    await said(asker, `Your request to join ${project} is sent. An admin decides; we will email you.`);
    await expect(ask.getByText('Request pending')).toBeVisible();
    await expect(ask.getByRole('button', { name: `Cancel the request to join ${project}` })).toBeVisible();
    await axeCheck(asker, `the start page with a pending request at ${size.width}px`);
    if (size.width === 1280) await shoot(asker, 'projects-to-join-pending');

    await admin.getByRole('tab', { name: /^Requests/ }).click();
    await expect(admin.getByRole('tab', { name: 'Requests (1)' })).toHaveAttribute('aria-current', 'page');
    await expect(admin.getByRole('heading', { name: 'Requests to join (1)' })).toBeVisible();
    await expect(admin.getByText('I run the lab next door.')).toBeVisible();
    await expect(admin.getByRole('checkbox', { name: /Asa Asker/ })).toBeVisible();

    // The asker may withdraw it: then they may ask again.
    await ask.getByRole('button', { name: `Cancel the request to join ${project}` }).click();
    await said(asker, `Your request to join ${project} is cancelled.`);
    await expect(ask.getByRole('button', { name: `Ask to join ${project}` })).toBeVisible();
    await expect(ask.getByText('Request pending')).toHaveCount(0);

    // Restricting lists the member outside the domain (the owner, at example.test), removing nobody.
    await admin.getByRole('tab', { name: 'Domains', exact: true }).click();
    const restrict = admin.getByRole('switch', { name: 'Only emails at the verified domains may join' });
    await expect(restrict).not.toBeChecked();
    // The switch shows what the server holds: it turns once the API took the change.
    await restrict.click();
    await said(admin, 'Only emails at the verified domains may join now.');
    await expect(restrict).toBeChecked();
    const outside = admin.getByRole('region', { name: 'Members outside the verified domains (1)' });
    await expect(outside).toContainText(owner.email);
    await expect(outside).not.toContainText(joinerEmail);
    await axeCheck(admin, `the Domains tab restricted at ${size.width}px`);
    if (size.width === 1280) await shoot(admin, 'project-domains-restricted');
    expect((await membership(owner.email, project))?.role).toBe('OWNER');

    // Removing the domain asks first; confirmed, it is gone.
    await admin.getByRole('region', { name: domain, exact: true }).getByRole('button', { name: 'Remove domain' }).click();
    const dialog = admin.getByRole('dialog', { name: `Remove ${domain}?` });
    await expect(dialog).toBeVisible();
    await axeCheck(admin, `the remove-domain dialog at ${size.width}px`);
    await dialog.getByRole('button', { name: 'Remove the domain' }).click();
    await said(admin, `${domain} removed.`);
    await expect(admin.getByRole('heading', { name: 'Domains (0)' })).toBeVisible();
  });
}

test('an admin sees the restriction and an owner-set Admin role, and may change neither', async ({ open, owner }) => {
  const projectId = await createProject(owner.token, `Domains ${unique()}`);
  const domain = `lab-${unique()}.test`;
  const d = (await gql(AddProjectDomainDocument, { projectId, domain }, owner.token)).addProjectDomain;
  await publishTXT(d.txtRecordName, d.txtRecordValue);
  await gql(VerifyProjectDomainDocument, { id: d.id }, owner.token);
  await gql(UpdateProjectDomainDocument, { input: { id: d.id, policy: 'SUGGEST', defaultRole: 'ADMIN' } }, owner.token);
  const adminEmail = `ada-${unique()}@example.test`;
  await invite(owner.token, projectId, adminEmail, { role: 'ADMIN' });

  const admin = await open({ token: await signUpInvited(adminEmail, 'Ada Admin') });
  await admin.goto(`/projects/${encodeURIComponent(projectId)}/domains`);
  const card = admin.getByRole('region', { name: domain, exact: true });
  await expect(card.getByText(/^Verified on /)).toBeVisible();
  await expect(card.getByRole('radio', { name: /^Suggest/ })).toBeChecked();
  const role = card.getByLabel('Role on joining');
  await expect(role).toHaveValue('ADMIN');
  await expect(role).toBeDisabled();
  await expect(card.getByText("Only the project's owner can change this role.")).toBeVisible();
  const restrict = admin.getByRole('switch', { name: 'Only emails at the verified domains may join' });
  await expect(restrict).toBeDisabled();
  await expect(admin.getByText("Only the project's owner can change this.", { exact: true })).toBeVisible();
  await axeCheck(admin, 'the Domains tab as an admin');

  // The policy is the admin's to change; the role the owner set stays.
  await card.getByRole('radio', { name: /^Request/ }).check();
  await card.getByRole('button', { name: 'Save policy' }).click();
  await said(admin, `${domain}: Request, joining as Admin.`);
});
