// Runs real operations with the built package against a running server: e2e/typed_client_test.go
// (at the top of the repository) starts the server, builds the package and this file (`npm run
// build`, `npm run build:test`), runs `node test/dist/live.js` with LIVE_INPUT and checks the
// JSON this prints. Most go through createClient (urql), subscriptions over WebSocket and SSE
// included; some through Apollo Client 3 and 4 and graphql-request, with the same documents,
// subscriptions and a query with @defer through Apollo's HttpLink alone (multipart HTTP).
// Apollo Client 3 has no `exports` map, so node's ESM loader needs the file's own path.
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client/core/index.js';
import { ApolloClient as Apollo4, HttpLink as HttpLink4, InMemoryCache as Cache4 } from '@apollo/client-4';
import { Defer20220824Handler } from '@apollo/client-4/incremental';
import type { Client } from '@urql/core';
import { GraphQLClient } from 'graphql-request';
import WebSocket from 'ws';
import {
  BulkInviteDocument,
  CreateInviteDocument,
  CreateProjectDocument,
  InviteChangedDocument,
  MeDocument,
  ProjectInvitesDocument,
  ProjectMembersDocument,
  VerifyEmailDocument,
  createClient,
  errorCode,
  errorField,
  websocket,
  type BulkInviteMutation,
} from '@invites/client';
import { sse } from '@invites/client/sse';

/** What the Go test gives: the endpoint, a signed-up user's session and email-verification tokens, and emails to invite. */
interface Input {
  url: string;
  token: string;
  verifyToken: string;
  invitee: string;
  csvInvitee: string;
  liveInvitee: string;
}

const input = JSON.parse(process.env['LIVE_INPUT'] ?? '') as Input;
// node 20 has no WebSocket of its own: the ws package's.
const subscriptions = websocket({ webSocketImpl: WebSocket });
const client = createClient({ url: input.url, token: input.token, subscriptions });
const anonymous = createClient({ url: input.url, subscriptions });
const overSSE = createClient({ url: input.url, token: input.token, subscriptions: sse() });

const apollo = new ApolloClient({
  link: new HttpLink({ uri: input.url, headers: { Authorization: `Bearer ${input.token}` } }),
  cache: new InMemoryCache(),
});
const apolloSignedOut = new ApolloClient({ link: new HttpLink({ uri: input.url }), cache: new InMemoryCache() });
const apollo4 = new Apollo4({
  link: new HttpLink4({ uri: input.url, headers: { Authorization: `Bearer ${input.token}` } }),
  cache: new Cache4(),
  // Apollo Client 4 reads @defer's parts only with the handler of their format.
  incrementalHandler: new Defer20220824Handler(),
});
const graphqlRequest = new GraphQLClient(input.url, { headers: { Authorization: `Bearer ${input.token}` } });

/** The error code of what a promise rejects with (ApolloError, CombinedGraphQLErrors, ClientError), or "resolved". */
async function rejectionCode(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => 'resolved',
    (e: unknown) => errorCode(e),
  );
}

function row(r: BulkInviteMutation['bulkInvite']['results'][number]): object {
  switch (r.__typename) {
    case 'NewInvitation':
      return { kind: r.__typename, row: r.row, email: r.invite.email, role: r.invite.role, externalId: r.invite.externalId };
    case 'ExistingInvitation':
      return { kind: r.__typename, row: r.row, email: r.invite.email, role: r.invite.role };
    case 'ExistingMember':
      return { kind: r.__typename, row: r.row, email: r.member.user.email };
    case 'FailedInvite':
      return { kind: r.__typename, row: r.row, email: r.email, reason: r.reason, existingInvite: r.existingInvite };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The first result of a subscription started by start (which hands each result to push and
 * returns its stop). The server registers a subscription a moment after the client sends it,
 * so invite is called (with a new email each time) until something arrives: each invite it
 * creates ("<name>-<attempt>.<liveInvitee>") is a change the subscription must report.
 */
async function firstChange(name: string, start: (push: (r: object) => void) => () => void, invite: (email: string) => Promise<unknown>): Promise<object> {
  const results: object[] = [];
  const stop = start((r) => results.push(r));
  try {
    for (let attempt = 0; attempt < 20 && results.length === 0; attempt++) {
      await invite(`${name}-${attempt}.${input.liveInvitee}`);
      for (let wait = 0; wait < 10 && results.length === 0; wait++) await sleep(100);
    }
    return results[0] ?? { code: 'no event' };
  } finally {
    stop();
  }
}

/** The first result of an inviteChanged subscription through c: its invite's email and status, or its error's code. */
async function firstInviteChange(name: string, c: Client, projectId: string, invite: (email: string) => Promise<unknown>): Promise<object> {
  return firstChange(name, (push) => c.subscription(InviteChangedDocument, { projectId }).subscribe(({ data, error }) => {
    push(data ? { email: data.inviteChanged.email, status: data.inviteChanged.status } : { code: errorCode(error) ?? error?.message });
  }).unsubscribe, invite);
}

/** What an Apollo Client subscription (any version's observable) reports first: as firstInviteChange. */
interface ApolloSubscription {
  subscribe(o: {
    next: (r: { data?: { inviteChanged: { email: string; status: string } } | null; error?: unknown }) => void;
    error: (e: unknown) => void;
  }): { unsubscribe(): void };
}

/**
 * The first result of an inviteChanged subscription through Apollo Client's HttpLink alone,
 * which sends it as Apollo's multipart HTTP subscription (no WebSocket or SSE link).
 */
async function firstApolloChange(name: string, subscription: ApolloSubscription, invite: (email: string) => Promise<unknown>): Promise<object> {
  return firstChange(name, (push) => {
    const sub = subscription.subscribe({
      next: ({ data, error }) => push(data ? { email: data.inviteChanged.email, status: data.inviteChanged.status } : { code: errorCode(error) ?? 'no data' }),
      error: (e: unknown) => push({ code: errorCode(e) ?? String(e) }),
    });
    return () => sub.unsubscribe();
  }, invite);
}

/** The data of a query with @defer, as Apollo Client 3 and 4 emit it. */
type Counts = { project?: { name: string; invites?: { totalCount: number } } | null } | undefined;

/** What deferredCounts needs of Apollo Client 3 or 4. */
interface Watcher {
  watchQuery(o: { query: typeof deferredQuery; variables: { id: string }; fetchPolicy: 'network-only' }): {
    subscribe(o: { next: (r: { data?: unknown }) => void; error: (e: unknown) => void }): { unsubscribe(): void };
  };
}

const deferredQuery = gql`query DeferredCounts($id: ID!) { project(id: $id) { id name ... @defer(label: "counts") { invites { totalCount } } } }`;

/**
 * A query with @defer through Apollo Client's HttpLink, which asks for multipart/mixed: each
 * result the query emitted (the name first, then with the deferred count).
 */
async function deferredCounts(c: Watcher, projectId: string): Promise<object> {
  const results: { name?: string; invites?: number }[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve({ results, error: 'no complete result after 10s' }), 10_000);
    const sub = c.watchQuery({ query: deferredQuery, variables: { id: projectId }, fetchPolicy: 'network-only' }).subscribe({
      next: (r) => {
        const data = r.data as Counts;
        if (!data?.project) return; // Apollo Client 4's first: loading, no data yet
        results.push({ name: data?.project?.name, invites: data?.project?.invites?.totalCount });
        if (data?.project?.invites) {
          clearTimeout(timer);
          sub.unsubscribe();
          resolve({ results });
        }
      },
      error: (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    });
  });
}

async function main(): Promise<object> {
  const verified = await client.mutation(VerifyEmailDocument, { token: input.verifyToken }).toPromise();
  const me = await client.query(MeDocument, {}).toPromise();
  const anonymousMe = await anonymous.query(MeDocument, {}).toPromise();

  const created = await client.mutation(CreateProjectDocument, { input: { name: 'Client test' } }).toPromise();
  const projectId = created.data?.createProject.id;
  if (!projectId) throw new Error(`createProject: ${created.error?.message}`);

  const invited = await client.mutation(CreateInviteDocument, {
    input: { email: input.invitee, projectId, role: 'CONTRIBUTOR', externalId: 'S-1' },
  }).toPromise();
  const again = await client.mutation(CreateInviteDocument, { input: { email: input.invitee, projectId, role: 'CONTRIBUTOR' } }).toPromise();
  const signedOut = await anonymous.mutation(CreateProjectDocument, { input: { name: 'Nobody' } }).toPromise();
  const blank = await client.mutation(CreateProjectDocument, { input: { name: '' } }).toPromise();

  const csv = `email,role,external_id\n${input.csvInvitee},ADMIN,S-2\n${input.invitee},,\nnot-an-email,,\n`;
  const file = new File([csv], 'people.csv', { type: 'text/csv' });
  const preview = await client.mutation(BulkInviteDocument, { input: { projectId, csv: file, dryRun: true } }).toPromise();
  const bulk = await client.mutation(BulkInviteDocument, { input: { projectId, csv: file } }).toPromise();

  const invites = await client.query(ProjectInvitesDocument, { id: projectId, first: 10 }).toPromise();
  // A document that fails validation: the server refuses it before running it.
  const invalid = await client.query<{ me: unknown }>(gql`query { me { noSuchField } }`, {}).toPromise();

  const members = await apollo.query({ query: ProjectMembersDocument, variables: { id: projectId, first: 10 } });
  const members4 = await apollo4.query({ query: ProjectMembersDocument, variables: { id: projectId, first: 10 } });
  const otherClientErrors = {
    apollo3BlankName: await rejectionCode(apollo.mutate({ mutation: CreateProjectDocument, variables: { input: { name: '' } } })),
    apollo3Invalid: await rejectionCode(apollo.query({ query: gql`query { me { noSuchField } }` })),
    apollo4BlankName: await rejectionCode(apollo4.mutate({ mutation: CreateProjectDocument, variables: { input: { name: '' } } })),
    apollo4Invalid: await rejectionCode(apollo4.query({ query: gql`query { me { noSuchField } }` })),
    graphqlRequestBlankName: await rejectionCode(graphqlRequest.request(CreateProjectDocument, { input: { name: '' } })),
    graphqlRequestInvalid: await rejectionCode(graphqlRequest.request(gql`query { me { noSuchField } }`)),
  };

  // Live: each transport reports an invite created after it subscribed; a subscriber without a
  // token is refused.
  const invite = (email: string) => client.mutation(CreateInviteDocument, { input: { email, projectId, role: 'CONTRIBUTOR' } }).toPromise();
  const live = {
    websocket: await firstInviteChange('websocket', client, projectId, invite),
    sse: await firstInviteChange('sse', overSSE, projectId, invite),
    websocketSignedOut: await firstInviteChange('signed-out', anonymous, projectId, invite),
    apollo3: await firstApolloChange('apollo3', apollo.subscribe({ query: InviteChangedDocument, variables: { projectId } }), invite),
    apollo4: await firstApolloChange('apollo4', apollo4.subscribe({ query: InviteChangedDocument, variables: { projectId } }), invite),
    apollo3SignedOut: await firstApolloChange('apollo3-signed-out', apolloSignedOut.subscribe({ query: InviteChangedDocument, variables: { projectId } }), invite),
  };
  const deferred = { apollo3: await deferredCounts(apollo, projectId), apollo4: await deferredCounts(apollo4, projectId) };

  return {
    verifyEmail: verified.data?.verifyEmail.emailVerified ?? verified.error?.message,
    me: me.data?.me,
    anonymousMe: anonymousMe.data ? anonymousMe.data.me : anonymousMe.error?.message,
    projectId,
    viewerRole: created.data?.createProject.viewerRole,
    invite: invited.data?.createInvite ?? invited.error?.message,
    errors: {
      alreadyInvited: errorCode(again.error),
      signedOut: errorCode(signedOut.error),
      blankName: errorCode(blank.error),
      blankNameField: errorField(blank.error),
      invalid: errorCode(invalid.error),
    },
    apolloMembers: members.data.project?.members.edges.map(({ node }) => ({ email: node.user.email, role: node.role })),
    apollo4Members: members4.data?.project?.members.edges.map(({ node }) => ({ email: node.user.email, role: node.role })),
    otherClientErrors,
    preview: preview.data ? preview.data.bulkInvite.summary : preview.error?.message,
    bulk: bulk.data ? { summary: bulk.data.bulkInvite.summary, results: bulk.data.bulkInvite.results.map(row) } : bulk.error?.message,
    invites: invites.data?.project?.invites.edges.map(({ node }) => ({ email: node.email, role: node.role, externalId: node.externalId })) ?? invites.error?.message,
    live,
    deferred,
  };
}

main().then(
  (out) => console.log(JSON.stringify(out)),
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
