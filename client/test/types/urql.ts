// urql with the generated documents: the result and variables types come from the document.
// Each @ts-expect-error below must meet an error, so make client fails if the documents ever
// stop carrying their types.
import {
  createClient,
  CreateInviteDocument,
  InviteChangedDocument,
  ProjectsDocument,
  type BulkInviteInput,
  type ProjectFieldsFragment,
} from '@invites/client';

const client = createClient({ url: 'http://localhost:8080/graphql', token: () => localStorage.getItem('token') });

export async function projectNames(): Promise<string[]> {
  const { data } = await client.query(ProjectsDocument, { first: 20 }).toPromise();
  // @ts-expect-error: a project's name is a string, not a number.
  const wrong: number = data!.projects.edges[0]!.node.name;
  void wrong;
  return data?.projects.edges.map(({ node }) => node.name) ?? [];
}

export async function invite(projectId: string, email: string): Promise<void> {
  // @ts-expect-error: BOSS is not a ProjectRole.
  await client.mutation(CreateInviteDocument, { input: { projectId, email, role: 'BOSS' } }).toPromise();
  // @ts-expect-error: input.email is required.
  await client.mutation(CreateInviteDocument, { input: { projectId, role: 'CONTRIBUTOR' } }).toPromise();
}

export function watch(projectId: string): void {
  // @ts-expect-error: inviteChanged takes projectId, not id.
  client.subscription(InviteChangedDocument, { id: projectId });
  client.subscription(InviteChangedDocument, { projectId }).subscribe(({ data }) => {
    // @ts-expect-error: an invite's status is an InviteStatus, not a number.
    const wrong: number | undefined = data?.inviteChanged.status;
    void wrong;
  });
}

/** The scalars: Time is an RFC 3339 string and Upload a File or Blob, never any. */
export function scalars(project: ProjectFieldsFragment, input: BulkInviteInput): void {
  const created: string = project.createdAt;
  // @ts-expect-error: Time is a string, not a number.
  const wrongTime: number = project.createdAt;
  // @ts-expect-error: Upload is a File or Blob, not a string.
  const wrongUpload: BulkInviteInput['csv'] = 'email\nada@example.com';
  const csv: File | Blob | null | undefined = input.csv;
  void [created, wrongTime, wrongUpload, csv];
}
