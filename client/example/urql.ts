import { createClient, errorCode, LogInDocument, ProjectsDocument } from '@invites/client';

let token: string | null = null;
export const client = createClient({ url: 'https://invites.example/graphql', token: () => token });

export async function logIn(email: string, password: string): Promise<void> {
  const { data, error } = await client.mutation(LogInDocument, { input: { email, password } }).toPromise();
  if (!data) throw error;
  token = data.logIn.token; // sent as Authorization: Bearer <token> from now on
}

export async function projectNames(): Promise<string[]> {
  const { data, error } = await client.query(ProjectsDocument, { first: 20 }).toPromise();
  if (errorCode(error) === 'UNAUTHENTICATED') return []; // log in first
  if (!data) throw error;
  return data.projects.edges.map(({ node }) => `${node.name} (${node.viewerRole})`);
}
