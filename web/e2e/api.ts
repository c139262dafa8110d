// What a spec sets up and checks beside the pages: the API (through the client's typed
// documents), the mailbox and the database (through the fixture's control server).
import { expect } from '@playwright/test';
import { stringifyDocument, type AnyVariables, type TypedDocumentNode } from '@urql/core';
import {
  CreateInviteDocument, CreateProjectDocument, SignUpDocument, VerifyEmailDocument, type CreateInviteInput,
} from '@invites/client';

/** Where webfixture runs everything (global-setup.ts starts it). */
export interface Fixture {
  /** The server: the app, the API, the playground. */
  base: string;
  /** The control server: GET /mail, POST /sql, POST /hook/<name>, POST /dns. */
  control: string;
  /** Two addresses whose mail the SMTP server refuses for good. */
  bounces: [string, string];
}

export const fixture: Fixture = (() => {
  const json = process.env.WEB_FIXTURE;
  if (!json) throw new Error('WEB_FIXTURE is not set: run the specs with `npm test`, whose global setup starts the server');
  return JSON.parse(json) as Fixture;
})();

export const password = 'correct horse battery';

/** A random word, so that every run's and every spec's accounts and projects are their own. */
export function unique(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** A new address at example.test, starting with name. */
export function email(name: string): string {
  return `${name}-${unique()}@example.test`;
}

/** Runs an operation of the client as token's account (anonymous without), and returns its data. */
export async function gql<Data, Variables extends AnyVariables>(
  doc: TypedDocumentNode<Data, Variables>, variables: Variables, token?: string,
): Promise<Data> {
  const res = await fetch(`${fixture.base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: stringifyDocument(doc), variables }),
  });
  const body = (await res.json()) as { data?: Data; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`${stringifyDocument(doc).split('\n')[0]}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** An emailed message, with the app's links in it. */
export interface Mail {
  subject: string;
  text: string;
  links: string[];
}

/** The emails to an address, once there are at least n (the control server waits up to 15 s). */
export async function mail(to: string, n = 1): Promise<Mail[]> {
  const msgs = (await (await fetch(`${fixture.control}/mail?to=${encodeURIComponent(to)}&n=${n}`)).json()) as Mail[];
  expect(msgs.length, `emails to ${to}`).toBeGreaterThanOrEqual(n);
  return msgs;
}

/** The link of kind ('/invite/', '/verify-email/', '/reset-password/') in the latest email to `to` that has one. */
export async function linkIn(to: string, kind: string, n = 1): Promise<string> {
  // Emails to one address arrive in any order (a sign-up's verification and an invite go out
  // from different jobs), so wait for one with this kind of link, not just for n emails.
  let link: string | undefined;
  for (const end = Date.now() + 15_000; !link && Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    link = (await mail(to, n)).flatMap((m) => m.links).filter((l) => l.startsWith(fixture.base + kind)).pop();
  }
  expect(link, `a ${kind} link in the emails to ${to}`).toBeTruthy();
  return link!;
}

/** The token at the end of an emailed link. */
export const tokenOf = (link: string): string => link.split('/').pop()!;

/** The rows a statement returns ($1 placeholders), as objects by column. */
export async function sql<Row = Record<string, unknown>>(query: string, ...args: unknown[]): Promise<Row[]> {
  const res = await fetch(`${fixture.control}/sql`, { method: 'POST', body: JSON.stringify({ sql: query, args }) });
  if (!res.ok) throw new Error(`${query}: ${await res.text()}`);
  return (await res.json()) as Row[];
}

/**
 * Publishes a name's TXT records on the DNS server the server asks (DNS_RESOLVER), as a
 * domain's owner does at their DNS host; no values: the name is gone.
 */
export async function publishTXT(name: string, ...values: string[]): Promise<void> {
  const res = await fetch(`${fixture.control}/dns`, { method: 'POST', body: JSON.stringify({ name, values }) });
  if (!res.ok) throw new Error(`publishing ${name}: ${await res.text()}`);
}

/** A new account's session token. */
export async function signUp(address: string, name: string): Promise<string> {
  return (await gql(SignUpDocument, { input: { email: address, password, name } })).signUp.token;
}

/** A new account whose email is verified through its emailed link (inviting needs that). */
export async function signUpVerified(address: string, name: string): Promise<string> {
  const token = await signUp(address, name);
  await gql(VerifyEmailDocument, { token: tokenOf(await linkIn(address, '/verify-email/')) });
  return token;
}

/** Signs up through an invite's emailed link, which joins its project; the session token. */
export async function signUpInvited(address: string, name: string): Promise<string> {
  const inviteToken = tokenOf(await linkIn(address, '/invite/'));
  return (await gql(SignUpDocument, { input: { password, name, inviteToken } })).signUp.token;
}

export async function createProject(token: string, name: string): Promise<string> {
  return (await gql(CreateProjectDocument, { input: { name } }, token)).createProject.id;
}

/** Invites address to the project as a Contributor, unless extra says otherwise; the invite's ID. */
export async function invite(token: string, projectId: string, address: string, extra: Partial<CreateInviteInput> = {}): Promise<string> {
  return (await gql(CreateInviteDocument, { input: { projectId, email: address, role: 'CONTRIBUTOR', ...extra } }, token)).createInvite.id;
}

/** The role and external ID of address's membership of the project named projectName, if any. */
export async function membership(address: string, projectName: string): Promise<{ role: string; external_id: string | null } | undefined> {
  const rows = await sql<{ role: string; external_id: string | null }>(`SELECT pm.role, pm.external_id FROM project_members pm
    JOIN users u ON u.id = pm.user_id JOIN projects p ON p.id = pm.project_id WHERE u.email = $1 AND p.name = $2`, address, projectName);
  return rows[0];
}
