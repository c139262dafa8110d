// The web app's browser tests: playwright-core drives Debian's Chromium (no browser download)
// through the pages a person uses, finding elements by role, label and text as Testing Library
// does, and axe-core checks the pages for serious or critical accessibility violations.
// e2e/web_app_test.go starts the real server, PostgreSQL and an SMTP server, and runs this with
// E2E_INPUT = {"base", "control", "chromium", "bounces", "screenshots"}: control serves the
// delivered emails (GET /mail) and the database (POST /sql). Any request a page makes to a host
// other than this machine fails its test.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const input = JSON.parse(process.env.E2E_INPUT ?? '{}');
const { base, control, bounces, screenshots } = input;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const browser = await chromium.launch({
  executablePath: input.chromium ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});

// ---- the API, the mailbox and the database, for what a test sets up and checks -------------

let seq = 0;
const email = (name) => `${name}-${Date.now().toString(36)}${++seq}@example.test`;

async function gql(query, variables = {}, token) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(`${query.trim().split('\n')[0]}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function mail(to, n = 1) {
  const msgs = await (await fetch(`${control}/mail?to=${encodeURIComponent(to)}&n=${n}`)).json();
  assert.ok(msgs.length >= n, `${msgs.length} emails to ${to}, want ${n}`);
  return msgs;
}

/** The link of kind ('/invite/', '/verify-email/', '/reset-password/') in the latest email to `to` that has one. */
async function linkIn(to, kind, n = 1) {
  // Emails to one address arrive in any order (a sign-up's verification and an invite go out
  // from different jobs), so wait for one with this kind of link, not just for n emails.
  let link;
  for (const end = Date.now() + 15_000; !link && Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const msgs = await mail(to, n);
    link = msgs.flatMap((m) => m.links).filter((l) => l.startsWith(base + kind)).pop();
  }
  assert.ok(link, `no ${kind} link in the emails to ${to}`);
  return link;
}

async function sql(query, ...args) {
  const res = await fetch(`${control}/sql`, { method: 'POST', body: JSON.stringify({ sql: query, args }) });
  if (!res.ok) throw new Error(`${query}: ${await res.text()}`);
  return res.json();
}

async function eventually(what, f, timeout = 15_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const password = 'correct horse battery';

async function signUp(address, name) {
  const d = await gql('mutation($i: SignUpInput!) { signUp(input: $i) { token } }', { i: { email: address, password, name } });
  return d.signUp.token;
}

/** An account whose email is verified through its emailed link (inviting needs that). */
async function signUpVerified(address, name) {
  const token = await signUp(address, name);
  const link = await linkIn(address, '/verify-email/');
  await gql('mutation($t: String!) { verifyEmail(token: $t) { id } }', { t: link.split('/').pop() });
  return token;
}

async function createProject(token, name) {
  return (await gql('mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }', { i: { name } }, token)).createProject.id;
}

async function invite(token, projectId, address, extra = {}) {
  const d = await gql('mutation($i: CreateInviteInput!) { createInvite(input: $i) { id } }',
    { i: { projectId, email: address, role: 'CONTRIBUTOR', ...extra } }, token);
  return d.createInvite.id;
}

async function membership(address, projectName) {
  const rows = await sql(`SELECT pm.role, pm.external_id FROM project_members pm JOIN users u ON u.id = pm.user_id
    JOIN projects p ON p.id = pm.project_id WHERE u.email = $1 AND p.name = $2`, address, projectName);
  return rows[0];
}

// ---- pages ------------------------------------------------------------------------------------

let opened = [];

/** A new browser window (its own storage), signed in with token when given. */
async function open({ token, width = 1280 } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  context.setDefaultTimeout(10_000);
  const w = { context, offHost: [], problems: [] };
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]') return route.continue();
    w.offHost.push(u.href);
    return route.abort();
  });
  if (token) await context.addInitScript((t) => window.localStorage.setItem('invites.session', t), token);
  w.page = await context.newPage();
  w.page.on('pageerror', (e) => w.problems.push(`page error: ${e.message}`));
  // The Content-Security-Policy's refusals are console errors too.
  w.page.on('console', (m) => m.type() === 'error' && w.problems.push(`console: ${m.text()}`));
  opened.push(w);
  return w.page;
}

async function axeCheck(page, what) {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })));
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `${what}: axe found serious or critical violations`);
  console.log(`     axe: ${what}: no serious or critical violations (${violations.length} minor)`);
}

async function shoot(page, name) {
  if (!screenshots) return;
  mkdirSync(screenshots, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: `${screenshots}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const heading = (page, name) => page.getByRole('heading', { name, exact: true });
const main = (page) => page.getByRole('main');

// ---- the tests --------------------------------------------------------------------------------

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

// Shared by several tests: an owner with a verified email and a project.
const owner = { email: email('owner'), name: 'Olga Owner' };
owner.token = await signUpVerified(owner.email, owner.name);

test('the checks themselves: a request to another host and a refusal of the policy are caught', async () => {
  const page = await open();
  const res = await page.goto(`${base}/`);
  assert.equal(res.headers()['content-security-policy']?.startsWith("default-src 'self'"), true, 'the app is served with its policy');
  await heading(page, 'Invites').waitFor();
  // The page's policy refuses a connection to another host before it leaves the browser.
  await page.evaluate(() => fetch('http://192.0.2.1/data').catch(() => null));
  await eventually('the refusal to show in the console', () => opened[0].problems.some((p) => p.includes('Content Security Policy')));
  // A navigation is not the policy's to refuse: the test's guard stops it and records it.
  await page.goto('http://192.0.2.1/elsewhere').catch(() => null);
  assert.deepEqual(opened[0].offHost, ['http://192.0.2.1/elsewhere']);
  opened[0].problems = [];
  opened[0].offHost = [];
});

test('an invitee opens the emailed link, signs up with the name given, and is a member', async () => {
  const project = `Apollo ${seq}`;
  const projectId = await createProject(owner.token, project);
  const invitee = email('ivy');
  await gql(`mutation($i: BulkInviteInput!) { bulkInvite(input: $i) { summary { newInvitations } } }`,
    { i: { projectId, rows: [{ email: invitee, name: 'Ivy Invitee', externalId: 'S-100' }] } }, owner.token);
  const link = await linkIn(invitee, '/invite/');

  const page = await open();
  await page.goto(link);
  await heading(page, `Olga Owner invited you to ${project}`).waitFor();
  const facts = await page.locator('dl').innerText();
  assert.match(facts, /Role\s+Contributor/);
  assert.match(facts, new RegExp(`Invited email\\s+${invitee.replace(/[.]/g, '\\.')}`));
  assert.match(facts, /Expires\s+\d/);
  await heading(page, `Sign up to join ${project}`).waitFor();
  assert.equal(await page.getByLabel('Email').inputValue(), invitee);
  assert.equal(await page.getByLabel('Email').getAttribute('readonly'), '');
  assert.equal(await page.getByLabel('Your name').inputValue(), 'Ivy Invitee', 'the name the inviter gave');
  await axeCheck(page, 'the invite page');
  await page.setViewportSize({ width: 390, height: 844 });
  await axeCheck(page, 'the invite page, 390 px wide');
  await page.setViewportSize({ width: 1280, height: 900 });
  await shoot(page, 'invite-page');

  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up and join' }).click();
  await heading(page, `You have joined ${project}`).waitFor();
  const m = await membership(invitee, project);
  assert.deepEqual(m, { role: 'CONTRIBUTOR', external_id: 'S-100' }, 'the membership in the database');
  await page.getByRole('link', { name: `Open ${project}` }).click();
  await heading(page, project).waitFor();
  await page.getByRole('heading', { name: /^Members \(2\)$/ }).waitFor();
  // Logging out ends the session on the server and forgets the token.
  const token = await page.evaluate(() => window.localStorage.getItem('invites.session'));
  assert.ok(token, 'the app keeps the session token');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('link', { name: 'Log in' }).first().waitFor();
  assert.equal(await page.evaluate(() => window.localStorage.getItem('invites.session')), null);
  const me = await gql('{ me { id } }', {}, token);
  assert.equal(me.me, null, 'the logged-out token still works');
});

test('an invitee with an account logs in on the invite page, then accepts', async () => {
  const project = `Gemini ${seq}`;
  const projectId = await createProject(owner.token, project);
  const invitee = email('existing');
  await signUp(invitee, 'Evan Existing');
  await invite(owner.token, projectId, invitee, { role: 'ADMIN' });
  const link = await linkIn(invitee, '/invite/');

  const page = await open();
  await page.goto(link);
  await heading(page, 'Log in to accept').waitFor();
  assert.equal(await page.getByLabel('Email').inputValue(), invitee);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await main(page).getByText('That email and password do not match an account.').waitFor();
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await heading(page, `Join ${project}?`).waitFor();
  await page.getByRole('button', { name: 'Accept the invite' }).click();
  await heading(page, `You have joined ${project}`).waitFor();
  assert.equal((await membership(invitee, project))?.role, 'ADMIN');
});

test('signed in as another account: the page says so and offers to log out', async () => {
  const project = `Mercury ${seq}`;
  const projectId = await createProject(owner.token, project);
  const invitee = email('wanted');
  await invite(owner.token, projectId, invitee);
  const link = await linkIn(invitee, '/invite/');
  const other = email('other');
  await signUp(other, 'Otto Other');

  const page = await open();
  await page.goto(`${base}/login`);
  await heading(page, 'Log in').waitFor();
  await axeCheck(page, 'the log-in page');
  await page.getByLabel('Email').fill(other);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await heading(page, 'Your projects').waitFor();

  await page.goto(link);
  await heading(page, 'This invite is for another account').waitFor();
  await main(page).getByText(`You are logged in as ${other}, but the invite was sent to ${invitee}.`).waitFor();
  await main(page).getByRole('button', { name: 'Log out' }).click();
  await heading(page, `Sign up to join ${project}`).waitFor();
  assert.equal(await membership(other, project), undefined);
});

test('expired, accepted, declined, revoked and unknown invites say why they cannot be used', async () => {
  const project = `Vostok ${seq}`;
  const projectId = await createProject(owner.token, project);
  const [expired, accepted, declined, revoked, declineHere] = ['expired', 'accepted', 'declined', 'revoked', 'decline-here'].map(email);
  const links = {};
  for (const a of [expired, accepted, declined, revoked, declineHere]) {
    const id = await invite(owner.token, projectId, a);
    links[a] = { id, link: await linkIn(a, '/invite/') };
  }
  await sql(`UPDATE invites SET expires_at = now() - interval '1 hour' WHERE email = $1`, expired);
  await gql('mutation($i: SignUpInput!) { signUp(input: $i) { token } }', { i: { password, name: 'Ann Accepted', inviteToken: links[accepted].link.split('/').pop() } });
  await gql('mutation($i: InviteRefInput!) { declineInvite(input: $i) { id } }', { i: { token: links[declined].link.split('/').pop() } });
  await gql('mutation($id: ID!) { revokeInvite(id: $id) { id } }', { id: links[revoked].id }, owner.token);

  const page = await open();
  const cases = [
    [expired, /This invite expired on .+, so it cannot be used\. Ask Olga Owner to send a new one\./],
    [accepted, /This invite has already been accepted\./],
    [declined, /This invite was declined, so it cannot be used any more\./],
    [revoked, new RegExp(`This invite was withdrawn by ${project}, so it cannot be used any more\\.`)],
  ];
  for (const [address, text] of cases) {
    await page.goto(links[address].link);
    await heading(page, `Olga Owner invited you to ${project}`).waitFor();
    await main(page).getByText(text).waitFor();
    assert.equal(await page.getByRole('button', { name: /Accept|Sign up/ }).count(), 0, `${address}: no way to accept`);
  }
  for (const bad of ['not-a-real-token', 'x'.repeat(43)]) {
    await page.goto(`${base}/invite/${bad}`);
    await heading(page, 'This invite link is not valid').waitFor();
  }
  // Declining needs no sign-in.
  await page.goto(links[declineHere].link);
  await page.getByRole('button', { name: 'Decline the invite' }).click();
  await heading(page, 'Invite declined').waitFor();
  const rows = await sql('SELECT status FROM invites WHERE email = $1', declineHere);
  assert.deepEqual(rows, [{ status: 'DECLINED' }]);
});

test('a link that a newer email replaced says so, and the newer one works', async () => {
  const project = `Soyuz ${seq}`;
  const projectId = await createProject(owner.token, project);
  const address = email('replaced');
  const id = await invite(owner.token, projectId, address);
  const oldLink = await linkIn(address, '/invite/');
  // A resend replaces the link as a reminder does (the reminder's own end-to-end test is
  // e2e/invite_by_email_test.go's, where the sweep sends it).
  await gql('mutation($id: ID!) { resendInvite(id: $id) { id } }', { id }, owner.token);
  const newLink = await linkIn(address, '/invite/', 2);
  assert.notEqual(newLink, oldLink);

  const page = await open();
  await page.goto(oldLink);
  await heading(page, 'This link was replaced by a newer email').waitFor();
  await main(page).getByText(/Open the link from the latest invite email\./).waitFor();
  await axeCheck(page, 'the page of a replaced invite link');
  await shoot(page, 'invite-replaced');
  await page.goto(newLink);
  await heading(page, `Olga Owner invited you to ${project}`).waitFor();
});

test('signing up, then verifying the email from its link, joins the projects that invited it', async () => {
  const project = `Verify ${seq}`;
  const projectId = await createProject(owner.token, project);
  const person = email('verify');
  await invite(owner.token, projectId, person);
  await linkIn(person, '/invite/');

  const page = await open();
  await page.goto(base + '/');
  await page.getByRole('link', { name: 'Sign up' }).first().click();
  await heading(page, 'Sign up').waitFor();
  await page.getByLabel('Your name').fill('Vera Verify');
  await page.getByLabel('Email').fill(person);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await heading(page, 'Check your email').waitFor();
  const link = await linkIn(person, '/verify-email/', 2);
  await page.goto(link);
  await heading(page, 'Your email is verified').waitFor();
  await main(page).getByText(`you have joined ${project}.`).waitFor();
  assert.equal((await membership(person, project))?.role, 'CONTRIBUTOR');
  await page.goto(link);
  await heading(page, 'This verification link is not valid').waitFor();
});

test('bulk invite: preview, confirm, a bouncing address in red, a changed external ID, resend and revoke', async () => {
  const project = `Bulk ${seq}`;
  const projectId = await createProject(owner.token, project);
  // A member whose external ID the upload changes.
  const member = email('member');
  await invite(owner.token, projectId, member, { externalId: 'OLD-1' });
  await gql('mutation($i: SignUpInput!) { signUp(input: $i) { token } }', { i: { password, name: 'Mia Member', inviteToken: (await linkIn(member, '/invite/')).split('/').pop() } });
  const fresh = email('fresh');
  const [b1, b2] = bounces;
  const csv1 = ['email,role,external_id,name,notes', `${fresh},CONTRIBUTOR,N1,Finn Fresh,x`, `${b1},,,,`, `${b2},,,,`, 'not-an-email,,,,', `${member},,NEW-1,,`].join('\n') + '\n';

  const page = await open({ token: owner.token });
  await page.goto(`${base}/projects/${encodeURIComponent(projectId)}`);
  await heading(page, project).waitFor();
  await page.getByRole('link', { name: 'Invite many people from a CSV file' }).click();
  await heading(page, `Invite people to ${project}`).waitFor();

  // A file the API refuses: its message next to the picker, nothing sent.
  await page.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('name\nNobody\n') });
  await page.getByRole('button', { name: 'Preview' }).click();
  const refusal = await main(page).getByRole('alert').innerText();
  assert.match(refusal, /email/i, 'the refusal names the missing column');
  assert.doesNotMatch(refusal, /BAD_USER_INPUT/);

  await page.getByLabel('CSV file').setInputFiles({ name: 'class.csv', mimeType: 'text/csv', buffer: Buffer.from(csv1) });
  await page.getByRole('button', { name: 'Preview' }).click();
  await heading(page, 'Preview: nothing has been sent yet').waitFor();
  assert.deepEqual(await resultSections(page, 'Preview: nothing has been sent yet'), ['Failed (1)', 'New invitations (3)', 'Existing members (1)']);
  assert.deepEqual(await sql('SELECT id FROM invites WHERE email = $1', fresh), [], 'the preview wrote nothing');
  await checkChangedId(page, 'NEW-1', 'Previously: OLD-1');
  await main(page).getByText('Ignored column, which the invite does not use: notes.').waitFor();

  // Confirmed: the server sent 3 invitations; the two bouncing addresses' emails then fail, and
  // their rows move live (no reload, no polling) to the failed ones, in red, counted in the caption.
  await page.evaluate(() => { window.sameDocument = true; });
  await page.getByRole('button', { name: 'Send 3 invitations' }).click();
  await heading(page, 'Bulk invite result').waitFor();
  await main(page).getByText('5 rows processed: 3 new invitations sent, 1 failed.').waitFor();
  assert.deepEqual(await membership(member, project), { role: 'CONTRIBUTOR', external_id: 'NEW-1' });
  await linkIn(fresh, '/invite/');
  for (const b of bounces) {
    await eventually(`${b}'s email to fail for good`, async () => (await sql('SELECT status FROM emails WHERE recipient = $1', b))[0]?.status === 'FAILED_PERMANENT');
  }
  await main(page).getByRole('status').filter({ hasText: 'Since then, 2 more rows could not be sent: their emails bounced.' }).waitFor({ timeout: 5_000 });
  assert.deepEqual(await resultSections(page, 'Bulk invite result'), ['Failed (3)', 'New invitations (1)', 'Existing members (1)']);
  const bouncedLive = page.getByRole('table').filter({ has: page.getByText('highlighted in red') });
  assert.equal(await bouncedLive.locator('caption').innerText(), '2 rows highlighted in red could not be sent');
  for (const [address, isRed] of [[b1, true], [b2, true], ['not-an-email', false]]) {
    const row = bouncedLive.getByRole('row').filter({ has: page.getByRole('rowheader', { name: address }) });
    const bg = await row.getByRole('cell').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(bg === 'rgb(253, 226, 226)', isRed, `${address}: background ${bg}`);
    if (isRed) await row.getByText('The invite email could not be delivered to this address.').waitFor();
  }
  assert.equal(await page.evaluate(() => window.sameDocument), true, 'the page was not reloaded');
  const [liveDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the 3 failed rows as CSV' }).click()]);
  assert.deepEqual(readFileSync(await liveDownload.path(), 'utf8').trimEnd().split('\r\n').slice(1).sort(), [
    `${b1},,,,,The invite email could not be delivered to this address.`,
    `${b2},,,,,The invite email could not be delivered to this address.`,
    'not-an-email,,,,,The email is missing or not a valid address.',
  ].sort());
  await axeCheck(page, 'the bulk result, after two emails bounced');

  // The same people again: the bounced ones are now FAILED_TO_SEND, in red.
  const csv2 = ['email,role,external_id,name,notes', `${fresh},CONTRIBUTOR,N1-CHANGED,,`, `${b1},,,,`, `${b2},,,,`, 'not-an-email,,,,', `${member},,NEW-1,,`].join('\r\n') + '\r\n';
  await page.getByRole('button', { name: 'Invite more people' }).click();
  await page.getByLabel('CSV file').setInputFiles({ name: 'class.csv', mimeType: 'text/csv', buffer: Buffer.from(csv2) });
  await page.getByRole('button', { name: 'Preview' }).click();
  await heading(page, 'Preview: nothing has been sent yet').waitFor();
  await page.getByRole('button', { name: 'Send 0 invitations' }).click();
  await heading(page, 'Bulk invite result').waitFor();
  assert.deepEqual(await resultSections(page, 'Bulk invite result'), ['Failed (3)', 'Existing invitations (1)', 'Existing members (1)']);
  const failed = page.getByRole('table').filter({ has: page.getByText('highlighted in red') });
  assert.equal(await failed.locator('caption').innerText(), '2 rows highlighted in red could not be sent');
  const red = 'rgb(253, 226, 226)';
  for (const [address, isRed] of [[b1, true], [b2, true], ['not-an-email', false]]) {
    const row = failed.getByRole('row').filter({ has: page.getByRole('rowheader', { name: address }) });
    const bg = await row.getByRole('cell').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(bg === red, isRed, `${address}: background ${bg}`);
  }
  await failed.getByText('The invite email could not be delivered to this address.').first().waitFor();
  await checkChangedId(page, 'N1-CHANGED', 'Previously: N1');
  await axeCheck(page, 'the bulk result');
  await page.setViewportSize({ width: 390, height: 844 });
  await axeCheck(page, 'the bulk result, 390 px wide');
  await page.setViewportSize({ width: 1280, height: 900 });
  await shoot(page, 'bulk-result');

  // The failed rows, as uploaded plus the reason, to fix and upload again.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the 3 failed rows as CSV' }).click()]);
  assert.equal(download.suggestedFilename(), 'class-failed.csv');
  const lines = readFileSync(await download.path(), 'utf8').trimEnd().split('\r\n');
  assert.deepEqual(lines.slice(1).sort(), [
    `${b1},,,,,The invite email could not be delivered to this address.`,
    `${b2},,,,,The invite email could not be delivered to this address.`,
    'not-an-email,,,,,The email is missing or not a valid address.',
  ].sort());
  assert.equal(lines[0], 'email,role,external_id,name,notes,reason');

  // The invites list: the bounced addresses say so; resend one, revoke another.
  await page.getByRole('link', { name: `Back to ${project}` }).click();
  await heading(page, project).waitFor();
  const invites = page.getByRole('region', { name: /^Invites/ });
  const rowOf = (address) => invites.getByRole('row').filter({ has: page.getByRole('rowheader', { name: address, exact: true }) });
  await rowOf(b1).getByText('Could not be delivered').waitFor();
  await axeCheck(page, 'the project page');
  await shoot(page, 'project-page');
  await rowOf(fresh).getByRole('button', { name: `Resend to ${fresh}` }).click();
  await rowOf(fresh).getByText(`Sent again to ${fresh}.`).waitFor();
  const again = await linkIn(fresh, '/invite/', 2);
  assert.notEqual(again, (await mail(fresh, 1))[0].links[0], 'the resent email has a new link');
  await rowOf(b1).getByRole('button', { name: `Revoke the invite to ${b1}` }).click();
  await rowOf(b1).getByRole('cell', { name: 'Revoked', exact: true }).waitFor();
  assert.deepEqual(await sql('SELECT status FROM invites WHERE email = $1', b1), [{ status: 'REVOKED' }]);
  await invites.getByLabel('Show').selectOption('PENDING');
  await rowOf(fresh).waitFor();
  await rowOf(b1).waitFor({ state: 'detached' });

  // Live, with no reload and no polling: an invite sent through the API appears and its email
  // goes out (Sent); revoked through the API, its row says so.
  const elsewhere = email('elsewhere');
  await invite(owner.token, projectId, elsewhere);
  await rowOf(elsewhere).getByRole('cell', { name: 'Sent', exact: true }).waitFor();
  const [{ id: elsewhereId }] = await sql('SELECT id FROM invites WHERE email = $1', elsewhere);
  await gql('mutation($id: ID!) { revokeInvite(id: $id) { id } }', { id: elsewhereId }, owner.token);
  await rowOf(elsewhere).getByRole('cell', { name: 'Revoked', exact: true }).waitFor();

  // Inviting one person: the API's refusal in words, next to the form.
  const inviteOne = page.getByRole('region', { name: 'Invite someone' });
  await inviteOne.getByLabel('Email').fill(fresh);
  await inviteOne.getByRole('button', { name: 'Send invite' }).click();
  await inviteOne.getByRole('alert').filter({ hasText: 'This email has a pending invite to the project already.' }).waitFor();
  // A member's role, changed in place within the roles the owner may grant.
  const members = page.getByRole('region', { name: /^Members/ });
  const roles = await members.getByLabel('Role of Mia Member').locator('option').allInnerTexts();
  assert.deepEqual(roles, ['Pending', 'Contributor', 'Admin']);
  await members.getByLabel('Role of Mia Member').selectOption('ADMIN');
  await eventually('the new role in the database', async () => (await membership(member, project))?.role === 'ADMIN');
});

test('a forgotten password: the log-in page links to a reset, the emailed link sets a new one and signs in', async () => {
  const address = email('forgot');
  await signUp(address, 'Fay Forgot');
  const page = await open();
  await page.goto(`${base}/login`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await heading(page, 'Forgot your password?').waitFor();
  await axeCheck(page, 'the forgot-password page');
  await page.getByLabel('Email').fill(address);
  await page.getByRole('button', { name: 'Send me a reset link' }).click();
  await heading(page, 'Check your email').waitFor();
  await main(page).getByText(`If an account has the email ${address}, we have sent it a link`).waitFor();
  await axeCheck(page, 'the forgot-password page, sent');
  await shoot(page, 'forgot-password');
  const link = await linkIn(address, '/reset-password/', 2);

  const reset = await open();
  await reset.goto(link);
  await heading(reset, 'Choose a new password').waitFor();
  await axeCheck(reset, 'the reset-password page');
  await reset.getByLabel('New password').fill('short');
  await reset.getByRole('button', { name: 'Set my new password' }).click();
  await main(reset).getByText('Password must be 8 to 256 characters.').waitFor();
  assert.equal(await reset.getByLabel('New password').getAttribute('aria-invalid'), 'true');
  await axeCheck(reset, 'the reset-password page with an error');
  await reset.getByLabel('New password').fill('a brand new password');
  await reset.getByRole('button', { name: 'Set my new password' }).click();
  await heading(reset, 'Your password is changed').waitFor();
  await shoot(reset, 'reset-password');
  const token = await reset.evaluate(() => window.localStorage.getItem('invites.session'));
  const me = (await gql('{ me { email emailVerified } }', {}, token)).me;
  assert.deepEqual(me, { email: address, emailVerified: true }, 'signed in, the email verified by the link');
  await gql('mutation($i: LogInInput!) { logIn(input: $i) { token } }', { i: { email: address, password: 'a brand new password' } });

  // The link works once: opened again, it says so in words.
  const again = await open();
  await again.goto(link);
  await again.getByLabel('New password').fill('yet another password');
  await again.getByRole('button', { name: 'Set my new password' }).click();
  await heading(again, 'This link is not valid').waitFor();
  await axeCheck(again, 'the reset-password page for a used link');
  await again.getByRole('link', { name: 'Ask for a new link' }).click();
  await heading(again, 'Forgot your password?').waitFor();

  // Changing the password on the account page, from the header's link.
  await reset.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: address }).click();
  await heading(reset, 'Your account').waitFor();
  await reset.getByLabel('Current password').fill('not it at all');
  await reset.getByLabel('New password').fill('the third password');
  await reset.getByRole('button', { name: 'Change password' }).click();
  await main(reset).getByText('The current password is wrong.').waitFor();
  await axeCheck(reset, 'the account page with an error');
  await reset.getByLabel('Current password').fill('a brand new password');
  await reset.getByRole('button', { name: 'Change password' }).click();
  await main(reset).getByText('Your password is changed. Every other session of your account has ended.').waitFor();
  await gql('mutation($i: LogInInput!) { logIn(input: $i) { token } }', { i: { email: address, password: 'the third password' } });
  await shoot(reset, 'account');
});

test("a project's admins manage its members; invites waiting on the start page are accepted there", async () => {
  const project = `Team ${seq}`;
  const projectId = await createProject(owner.token, project);
  const [admin, contributor, pasted] = [email('ada'), email('cara'), email('pasted')];
  await invite(owner.token, projectId, admin, { role: 'ADMIN' });
  await invite(owner.token, projectId, contributor);
  const adminToken = (await gql('mutation($i: SignUpInput!) { signUp(input: $i) { token } }', { i: { password, name: 'Ada Admin', inviteToken: (await linkIn(admin, '/invite/')).split('/').pop() } })).signUp.token;
  await gql('mutation($i: SignUpInput!) { signUp(input: $i) { token } }', { i: { password, name: 'Cara Contributor', inviteToken: (await linkIn(contributor, '/invite/')).split('/').pop() } });
  // Ada, now verified through her invite, invites the owner into a project of hers.
  const other = `Other ${seq}`;
  await invite(adminToken, await createProject(adminToken, other), owner.email);

  const page = await open({ token: owner.token });
  page.on('dialog', (d) => d.accept()); // the confirmations of transfer and leave
  // Bulk rows pasted rather than uploaded.
  await page.goto(`${base}/projects/${encodeURIComponent(projectId)}/bulk`);
  await page.getByLabel('Or paste rows').fill(`email,name\n${pasted},Pat Pasted\n`);
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('button', { name: 'Send 1 invitation' }).click();
  await heading(page, 'Bulk invite result').waitFor();
  await linkIn(pasted, '/invite/');

  // A list longer than a page: the next page comes after the end cursor.
  const many = Array.from({ length: 52 }, (_, i) => ({ email: `many-${i}-${seq}-${Date.now().toString(36)}@example.test` }));
  await gql('mutation($i: BulkInviteInput!) { bulkInvite(input: $i) { summary { newInvitations } } }', { i: { projectId, rows: many } }, owner.token);
  await page.goto(`${base}/projects/${encodeURIComponent(projectId)}`);
  const invites = page.getByRole('region', { name: /^Invites/ });
  await invites.getByText('Showing 50 of 55 invites.').waitFor();
  await invites.getByRole('button', { name: 'Show more invites' }).click();
  await invites.getByRole('button', { name: 'Show more invites' }).waitFor({ state: 'detached' });
  assert.equal(await invites.getByRole('row').count(), 1 + 55);
  const shown = await invites.getByRole('rowheader').allInnerTexts();
  assert.equal(new Set(shown).size, 55, 'no invite twice');

  const members = page.getByRole('region', { name: /^Members/ });
  await members.getByRole('heading', { name: 'Members (3)' }).waitFor();
  await members.getByLabel('External ID of Cara Contributor').fill('C-9');
  await members.getByRole('row').filter({ hasText: 'Cara Contributor' }).getByRole('button', { name: 'Save' }).click();
  await eventually('the external ID stored', async () => (await membership(contributor, project))?.external_id === 'C-9');
  // The page has the answer once Save is disabled again (the stored ID and the field agree):
  // clearing before then would compare the field with the old, empty ID.
  await eventually('the stored external ID shown', async () =>
    members.getByRole('row').filter({ hasText: 'Cara Contributor' }).getByRole('button', { name: 'Save' }).isDisabled());
  await members.getByLabel('External ID of Cara Contributor').fill('');
  await members.getByRole('row').filter({ hasText: 'Cara Contributor' }).getByRole('button', { name: 'Clear' }).click();
  await eventually('the external ID cleared', async () => (await membership(contributor, project))?.external_id === null);
  await members.getByRole('button', { name: 'Remove Cara Contributor' }).click();
  await members.getByRole('heading', { name: 'Members (2)' }).waitFor();
  assert.equal(await membership(contributor, project), undefined);
  // Nobody changes their own role, and OWNER is granted only by a transfer.
  assert.equal(await members.getByLabel('Role of Olga Owner').count(), 0);
  assert.deepEqual(await members.getByLabel('Role of Ada Admin').locator('option').allInnerTexts(), ['Pending', 'Contributor', 'Admin']);
  await members.getByRole('button', { name: 'Transfer ownership to Ada Admin' }).click();
  await page.getByText('Your role: Admin').waitFor();
  assert.equal((await membership(admin, project))?.role, 'OWNER');
  assert.equal((await membership(owner.email, project))?.role, 'ADMIN');
  await members.getByRole('button', { name: 'Leave the project' }).click();
  await heading(page, 'Your projects').waitFor();
  assert.equal(await membership(owner.email, project), undefined);

  const waiting = page.getByRole('region', { name: 'Invites waiting for you' });
  await waiting.getByText(`Ada Admin invited you to ${other} as Contributor.`, { exact: false }).waitFor();
  await waiting.getByRole('button', { name: `Accept the invite to ${other}` }).click();
  await waiting.getByText(`You joined ${other}.`).waitFor();
  assert.equal((await membership(owner.email, other))?.role, 'CONTRIBUTOR');
});

test("removing an admin revokes the invites they sent, and the invites list shows it at once", async () => {
  const project = `Hygiene ${seq}`;
  const projectId = await createProject(owner.token, project);
  const [admin, theirs, ours] = [email('hy-admin'), email('theirs'), email('ours')];
  await invite(owner.token, projectId, admin, { role: 'ADMIN' });
  const adminToken = (await gql('mutation($i: SignUpInput!) { signUp(input: $i) { token } }', { i: { password, name: 'Hugo Admin', inviteToken: (await linkIn(admin, '/invite/')).split('/').pop() } })).signUp.token;
  await invite(adminToken, projectId, theirs);
  await invite(owner.token, projectId, ours);

  const page = await open({ token: owner.token });
  await page.goto(`${base}/projects/${encodeURIComponent(projectId)}`);
  const invites = page.getByRole('region', { name: /^Invites/ });
  const rowOf = (address) => invites.getByRole('row').filter({ has: page.getByRole('rowheader', { name: address, exact: true }) });
  await rowOf(theirs).getByRole('cell', { name: 'Pending', exact: true }).waitFor();
  await page.getByRole('region', { name: /^Members/ }).getByRole('button', { name: 'Remove Hugo Admin' }).click();
  await rowOf(theirs).getByRole('cell', { name: 'Revoked', exact: true }).waitFor();
  await rowOf(ours).getByRole('cell', { name: 'Pending', exact: true }).waitFor();
  await invites.getByLabel('Show').selectOption('PENDING');
  await rowOf(ours).waitFor();
  await rowOf(theirs).waitFor({ state: 'detached' });
  assert.deepEqual(await sql('SELECT status FROM invites WHERE email = $1', theirs), [{ status: 'REVOKED' }]);
});

/** The result's section headings, in order. */
async function resultSections(page, title) {
  return page.getByRole('region', { name: title }).getByRole('heading', { level: 3 }).allInnerTexts();
}

/** A changed external ID: bold, its tooltip hidden until hover, and shown on keyboard focus. */
async function checkChangedId(page, id, previously) {
  const strong = page.locator('strong', { hasText: id });
  assert.equal(await strong.evaluate((el) => getComputedStyle(el).fontWeight), '700');
  const tip = page.getByRole('tooltip').filter({ hasText: previously });
  assert.equal(await tip.isVisible(), false, 'the tooltip waits for hover or focus');
  await strong.hover();
  await tip.waitFor({ state: 'visible' });
  await page.mouse.move(0, 0);
  await tip.waitFor({ state: 'hidden' });
  // By keyboard alone: Tab from the top of the page until the ID has the focus.
  await page.locator('body').focus();
  for (let i = 0; i < 60 && !(await strong.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  assert.ok(await strong.evaluate((el) => el === document.activeElement), `${id} cannot be reached with Tab`);
  await tip.waitFor({ state: 'visible' });
  assert.equal(await strong.getAttribute('aria-describedby'), await tip.getAttribute('id'));
}

test('an admin makes an invite link; a newcomer signs up, verifies and joins through it; a bad link says so', async () => {
  const project = `Voyager ${seq}`;
  const projectId = await createProject(owner.token, project);

  // The admin's side: the form, the link shown once, the list.
  const admin = await open({ token: owner.token });
  await admin.goto(`${base}/projects/${projectId}`);
  await admin.getByRole('heading', { name: /^Invite links \(0\)$/ }).waitFor();
  const form = admin.getByRole('form', { name: 'Make an invite link' });
  await form.getByLabel('Role').selectOption('CONTRIBUTOR');
  await form.getByLabel('Most uses (optional)').fill('2');
  await form.getByLabel('Only emails at (optional)').fill('@Example.test');
  await form.getByRole('button', { name: 'Make link' }).click();
  const shown = admin.getByLabel('Invite link', { exact: true });
  await shown.waitFor();
  const joinLink = await shown.inputValue();
  assert.match(joinLink, new RegExp(`^${base.replace(/[.]/g, '\\.')}/join/[A-Za-z0-9_-]{43}$`));
  await admin.getByRole('heading', { name: /^Invite links \(1\)$/ }).waitFor();
  const row = admin.getByRole('region', { name: 'Invite links' }).getByRole('row').nth(1);
  assert.match(await row.innerText(), /Contributor\s+0 of 2\s+example\.test\s+Active/);
  await admin.getByRole('button', { name: 'Copy link' }).click();
  await admin.getByText(/^(Link copied\.|Copying was refused: select the link and copy it yourself\.)$/).waitFor();
  await axeCheck(admin, 'the project page with its invite links');

  // The newcomer's side: the preview, sign up, verify, join.
  const newcomer = email('newcomer');
  const page = await open();
  await page.goto(joinLink);
  await heading(page, `Olga Owner invited you to ${project}`).waitFor();
  const facts = await page.locator('dl').innerText();
  assert.match(facts, /Role\s+Contributor/);
  assert.match(facts, /Who may join\s+Emails at example\.test/);
  await heading(page, `Sign up or log in to join ${project}`).waitFor();
  await axeCheck(page, 'the join page');
  await page.setViewportSize({ width: 390, height: 844 });
  await axeCheck(page, 'the join page, 390 px wide');
  await page.setViewportSize({ width: 1280, height: 900 });
  await shoot(page, 'join-page');
  await main(page).getByRole('link', { name: 'Sign up' }).click();
  await page.getByLabel('Your name').fill('Nina Newcomer');
  await page.getByLabel('Email').fill(newcomer);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();
  await heading(page, 'Check your email').waitFor();
  await page.getByRole('link', { name: 'Continue' }).click();
  await heading(page, 'Verify your email to join').waitFor();
  await axeCheck(page, 'the join page, waiting for a verified email');
  await page.goto(await linkIn(newcomer, '/verify-email/'));
  await eventually('the email to be verified', async () => (await sql('SELECT 1 FROM users WHERE email = $1 AND email_verified_at IS NOT NULL', newcomer)).length === 1);
  await page.goto(joinLink);
  await heading(page, `Join ${project}?`).waitFor();
  await page.getByRole('button', { name: `Join ${project}` }).click();
  await heading(page, `You have joined ${project}`).waitFor();
  assert.equal((await membership(newcomer, project))?.role, 'CONTRIBUTOR');
  assert.equal((await sql('SELECT uses FROM invite_links WHERE project_id = $1', projectId))[0].uses, 1);

  // The admin sees the use and revokes the link; the link then says it was withdrawn.
  await admin.reload();
  await admin.getByRole('heading', { name: /^Invite links \(1\)$/ }).waitFor();
  assert.match(await admin.getByRole('region', { name: 'Invite links' }).getByRole('row').nth(1).innerText(), /1 of 2/);
  await admin.getByRole('button', { name: /^Revoke the Contributor link made / }).click();
  await admin.getByRole('region', { name: 'Invite links' }).getByRole('cell', { name: 'Revoked', exact: true }).waitFor();
  await page.goto(joinLink);
  await page.getByText('This link was withdrawn, so it cannot be used any more.').waitFor();

  // A token that names nothing.
  await page.goto(`${base}/join/not-a-real-token`);
  await heading(page, 'This link is not valid').waitFor();
  await axeCheck(page, 'the join page of a bad link');
});

// ---- run --------------------------------------------------------------------------------------

let failures = 0;
test('an admin adds a webhook endpoint, retries its failed delivery, rotates its secret and disables it', async () => {
  const ownerEmail = email('hooks-owner');
  const token = await signUpVerified(ownerEmail, 'Hana Hooks');
  const name = `Hooks ${seq}`;
  const projectId = await createProject(token, name);
  const page = await open({ token });
  await page.goto(`${base}/projects/${encodeURIComponent(projectId)}`);
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await heading(page, `Webhooks of ${name}`).waitFor();
  // A private address is refused, with the reason.
  await page.getByLabel('URL').fill('https://10.0.0.1/hook');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await page.getByText(/private address/).waitFor();
  const url = `${control}/hook`;
  await page.getByLabel('URL').fill(url);
  await page.getByLabel('invite.created').check();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const ep = page.getByRole('article', { name: `Endpoint ${url}` });
  await ep.getByText('Enabled · invite.created').waitFor();
  const secret = await page.locator('code').innerText();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  await axeCheck(page, 'the webhooks page');

  // control's /hook refuses the first post (400): FAILED at once; a retry delivers it.
  await invite(token, projectId, email('hooked'));
  const retry = ep.getByRole('button', { name: 'Retry the invite.created delivery' });
  await eventually('the failed delivery shown', async () => {
    await ep.getByRole('button', { name: 'Refresh' }).click();
    return (await retry.count()) === 1;
  });
  assert.equal(await ep.getByRole('cell', { name: '400' }).count(), 1);
  await retry.click();
  await eventually('the delivery delivered', async () => {
    await ep.getByRole('button', { name: 'Refresh' }).click();
    return (await ep.getByRole('cell', { name: 'Delivered' }).count()) === 1;
  });
  assert.equal(await ep.getByRole('cell', { name: '204' }).count(), 1);
  await shoot(page, 'webhooks');

  await ep.getByRole('button', { name: 'Rotate secret' }).click();
  await eventually('a new secret shown', async () => {
    const now = await page.locator('code').innerText();
    return now !== secret && now.startsWith('whsec_');
  });
  await ep.getByRole('button', { name: 'Disable' }).click();
  await ep.getByText('Disabled · invite.created').waitFor();
  const rows = await sql('SELECT enabled FROM webhook_endpoints WHERE url = $1', url);
  assert.deepEqual(rows.map((r) => r.enabled), [false]);
});

const started = Date.now();
for (const { name, fn } of tests) {
  const t0 = Date.now();
  opened = [];
  try {
    await fn();
    for (const w of opened) {
      assert.deepEqual(w.offHost, [], 'requests to other hosts');
      assert.deepEqual(w.problems, [], 'errors in the page');
    }
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name} (${Date.now() - t0} ms)\n${e.stack ?? e}`);
    for (const w of opened) {
      if (w.problems.length) console.log(`     the page said: ${w.problems.join('\n')}`);
      try {
        console.log(`     at ${w.page.url()}:\n${(await w.page.locator('body').innerText()).slice(0, 3000)}`);
      } catch { /* closed */ }
    }
  } finally {
    for (const w of opened) await w.context.close();
  }
}
await browser.close();
if (failures) {
  console.log(`${failures} of ${tests.length} browser tests failed`);
  process.exit(1);
}
console.log(`${tests.length} browser tests passed in ${Date.now() - started} ms`);
