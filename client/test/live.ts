// Runs real operations with the client against a running server: e2e/typed_client_test.go (at
// the top of the repository) starts the server, compiles this file with `npm run build`, runs
// `node dist/test/live.js` with LIVE_INPUT and checks the JSON this prints to stdout. Most go
// through createClient (urql); a few through Apollo Client, with the same documents.
// Apollo Client 3 has no `exports` map, so node's ESM loader needs the file's own path.
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client/core/index.js';
import {
  BulkInviteDocument,
  CreateInviteDocument,
  CreateProjectDocument,
  MeDocument,
  ProjectInvitesDocument,
  ProjectMembersDocument,
  VerifyEmailDocument,
  createClient,
  errorCode,
  errorField,
  type BulkInviteMutation,
  type ErrorWithGraphQLErrors,
} from '../src/index.js';

// node's globals, without @types/node: the little this script uses.
declare const process: { env: Record<string, string | undefined>; exitCode?: number };

/** What the Go test gives: the endpoint, a signed-up user's session and email-verification tokens, and emails to invite. */
interface Input {
  url: string;
  token: string;
  verifyToken: string;
  invitee: string;
  csvInvitee: string;
}

const input = JSON.parse(process.env['LIVE_INPUT'] ?? '') as Input;
const client = createClient({ url: input.url, token: input.token });
const anonymous = createClient({ url: input.url });

const apollo = new ApolloClient({
  link: new HttpLink({ uri: input.url, headers: { Authorization: `Bearer ${input.token}` } }),
  cache: new InMemoryCache(),
});

/** The error code of what a promise rejects with (Apollo throws an ApolloError), or "resolved". */
async function rejectionCode(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => 'resolved',
    (e: unknown) => errorCode(e as ErrorWithGraphQLErrors),
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
  const apolloErrors = {
    blankName: await rejectionCode(apollo.mutate({ mutation: CreateProjectDocument, variables: { input: { name: '' } } })),
    invalid: await rejectionCode(apollo.query({ query: gql`query { me { noSuchField } }` })),
  };

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
    apolloErrors,
    preview: preview.data ? preview.data.bulkInvite.summary : preview.error?.message,
    bulk: bulk.data ? { summary: bulk.data.bulkInvite.summary, results: bulk.data.bulkInvite.results.map(row) } : bulk.error?.message,
    invites: invites.data?.project?.invites.edges.map(({ node }) => ({ email: node.email, role: node.role, externalId: node.externalId })) ?? invites.error?.message,
  };
}

main().then(
  (out) => console.log(JSON.stringify(out)),
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
