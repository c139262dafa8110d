// The invitee's pages in the invitee's language (SPEC §17): the invite page in each of the seven
// languages has every message of its catalog (no raw id, no English left over), Arabic runs right
// to left, each window is axe-clean at 1280 and 390 px, and a language chosen with ?lang= sticks
// for the visit (a navigation to sign-up, and a reload). English stays the browser's default.
import { readFileSync } from 'node:fs';
import { createProject, email, invite, linkIn, unique } from './api';
import { axeCheck, expect, heading, main, shoot, test } from './fixtures';

type Catalog = Record<string, string>;
const catalog = (tag: string): Catalog =>
  JSON.parse(readFileSync(new URL(`../src/locales/${tag}.json`, import.meta.url), 'utf8')) as Catalog;
const en = catalog('en');
const tags = ['en', 'de', 'fr', 'es', 'pt-BR', 'ja', 'ar'];

// Messages the invite page of a newcomer shows whole (no placeholder).
const shown = ['invite.role', 'invite.email', 'invite.expires', 'role.contributor', 'role.contributor.allows', 'form.name',
  'form.email', 'form.password', 'signUp.emailFixed', 'signUp.passwordHint', 'signUp.andJoin', 'next.notForYou', 'next.decline'];

test('the invite page speaks each language, right to left in Arabic, with the choice kept for the visit', async ({ open, owner }) => {
  const project = `Babel ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const invitee = email('lena');
  await invite(owner.token, projectId, invitee);
  const link = await linkIn(invitee, '/invite/');
  const path = new URL(link).pathname;

  for (const tag of tags) {
    const messages = catalog(tag);
    const page = await open();
    await page.goto(`${path}?lang=${tag}`);
    const title = messages['invite.title']!.replace('{inviter}', 'Olga Owner').replace('{project}', project);
    await expect(heading(page, title), `${tag}: the invite's heading`).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', tag);
    await expect(page.locator('html')).toHaveAttribute('dir', tag === 'ar' ? 'rtl' : 'ltr');
    await expect(main(page).getByLabel(messages['form.password']!)).toBeVisible();

    const text = await page.locator('body').innerText();
    for (const id of Object.keys(en)) expect(text, `${tag}: the raw id ${id}`).not.toContain(id);
    for (const id of shown) {
      expect(text, `${tag}: ${id}`).toContain(messages[id]);
      if (messages[id] !== en[id]) expect(text, `${tag}: ${id} left in English`).not.toContain(en[id]);
    }
    // Nothing sticks out sideways (in Arabic, what overflows the left edge would scroll).
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${tag}: the page's width`).toBeLessThanOrEqual(1280);
    expect(text, `${tag}: the date and time name their time zone`).toMatch(/UTC|GMT|[A-Z]{3,4}/);
    // The other languages are offered, each named in itself; the current one is marked.
    const languages = page.getByRole('navigation', { name: messages['languages.label'] });
    await expect(languages.getByRole('link')).toHaveCount(tags.length - 1);
    await expect(languages.locator('[aria-current]')).toHaveAttribute('lang', tag);

    for (const [width, height] of [[1280, 800], [390, 844]] as const) {
      await page.setViewportSize({ width, height });
      await axeCheck(page, `the invite page in ${tag} at ${width} px`);
    }
    await shoot(page, `invite-page-${tag}`);
    await page.close();
  }
});

test('a language chosen on the invite page sticks through sign-up; without a choice the page is English', async ({ open, owner }) => {
  const projectId = await createProject(owner.token, `Tower ${unique()}`);
  const invitee = email('jonas');
  await invite(owner.token, projectId, invitee);
  const path = new URL(await linkIn(invitee, '/invite/')).pathname;
  const de = catalog('de');
  const ar = catalog('ar');

  const page = await open();
  await page.goto(path);
  await expect(page.locator('html'), 'the test browser speaks en-US').toHaveAttribute('lang', 'en');
  await expect(main(page).getByLabel('Password')).toBeVisible();

  // Chosen from the language links: the page turns German, and stays so on the next page.
  await page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'Deutsch' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(main(page).getByLabel(de['form.password']!)).toBeVisible();
  await page.getByRole('banner').getByRole('link', { name: de['common.signUp'] }).click();
  await expect(page).toHaveURL(/\/signup$/);
  await expect(heading(page, de['common.signUp']!)).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  // A reload within the visit keeps it too (sessionStorage), and ?lang= changes it again.
  await page.reload();
  await expect(heading(page, de['common.signUp']!)).toBeVisible();
  await page.goto('/login?lang=ar');
  await expect(heading(page, ar['common.logIn']!)).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await axeCheck(page, 'the log-in page in Arabic');

  // The console stays English whatever was chosen.
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');

  // A new visit (a new window) starts over in the browser's language.
  const fresh = await open();
  await fresh.goto(path);
  await expect(fresh.locator('html')).toHaveAttribute('lang', 'en');
  await expect(main(fresh).getByLabel('Password')).toBeVisible();
});

test("an invite in German opens in German, with the inviter's note shown as written, never as markup", async ({ open, owner }) => {
  const project = `Notiz ${unique()}`;
  const projectId = await createProject(owner.token, project);
  const invitee = email('jonas');
  const note = 'Willkommen! <b>Bitte</b> & "bald"';
  await invite(owner.token, projectId, invitee, { locale: 'de', note });
  const page = await open();
  await page.goto(new URL(await linkIn(invitee, '/invite/')).pathname);
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  const de = catalog('de');
  await expect(heading(page, de['invite.title']!.replace('{inviter}', 'Olga Owner').replace('{project}', project))).toBeVisible();
  // The note is text: its angle brackets show, and no <b> element is made of them.
  await expect(main(page).getByText(note, { exact: true })).toBeVisible();
  await expect(main(page).locator('blockquote b')).toHaveCount(0);
  await axeCheck(page, 'the invite page with a note, in German');
});

test('an error from the server reads in the page’s language, never in the API’s English', async ({ open, owner }) => {
  const projectId = await createProject(owner.token, `Fehler ${unique()}`);
  const invitee = email('kenji');
  await invite(owner.token, projectId, invitee, { locale: 'ja' });
  const page = await open();
  await page.goto(new URL(await linkIn(invitee, '/invite/')).pathname);
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  const ja = catalog('ja');
  // A name with a zero-width space: the API refuses it (BAD_USER_INPUT, field "name") in English.
  await main(page).getByLabel(ja['form.name']!).fill('Kenji\u200bSato');
  await main(page).getByLabel(ja['form.password']!).fill('correct horse battery');
  await main(page).getByRole('button', { name: ja['signUp.andJoin'] }).click();
  await expect(main(page).getByText(ja['error.invalidName']!)).toBeVisible();
  const text = await main(page).innerText();
  expect(text, 'the API’s English message').not.toMatch(/cannot be seen|is required|character/);
  await axeCheck(page, 'the invite page with an error, in Japanese');
});
