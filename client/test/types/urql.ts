// urql with the generated documents: the result and variables types come from the document.
// `make client` type-checks this file with --strict; each @ts-expect-error below must meet an
// error, so the check also fails if the documents ever stop carrying their types.
import {
  CreateInviteDocument,
  LeaveProjectDocument,
  ProjectsDocument,
  createClient,
  errorCode,
} from '../src/index.js';

const client = createClient({ url: 'http://localhost:8080/graphql', token: () => localStorage.getItem('token') });

export async function projectNames(): Promise<string[]> {
  const result = await client.query(ProjectsDocument, { first: 20 }).toPromise();
  const data = result.data; // a ProjectsQuery, or undefined with result.error
  if (!data) throw new Error(errorCode(result.error) ?? 'no data');
  // @ts-expect-error: a project's name is a string, not a number.
  const wrong: number = data.projects.edges[0]!.node.name;
  void wrong;
  return data.projects.edges.map(({ node }) => node.name);
}

export async function invite(projectId: string, email: string): Promise<string> {
  // @ts-expect-error: BOSS is not a ProjectRole.
  await client.mutation(CreateInviteDocument, { input: { projectId, email, role: 'BOSS' } }).toPromise();
  // @ts-expect-error: input.email is required.
  await client.mutation(CreateInviteDocument, { input: { projectId, role: 'CONTRIBUTOR' } }).toPromise();

  const { data, error } = await client.mutation(CreateInviteDocument, { input: { projectId, email, role: 'CONTRIBUTOR' } }).toPromise();
  switch (errorCode(error)) {
    case undefined:
      return `invited ${data!.createInvite.email} (${data!.createInvite.deliveryStatus})`;
    case 'ALREADY_INVITED':
      return `${email} has a pending invite already`;
    case 'EMAIL_NOT_VERIFIED':
      return 'verify your email first';
    default:
      throw error;
  }
}

export async function leave(projectId: string): Promise<boolean> {
  const { data, error } = await client.mutation(LeaveProjectDocument, { projectId }).toPromise();
  if (errorCode(error) === 'LAST_OWNER') return false; // transfer ownership first
  if (error) throw error;
  return data?.leaveProject ?? false;
}
