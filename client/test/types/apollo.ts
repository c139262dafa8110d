// Apollo Client 3 with the generated documents: client.query, client.mutate, useQuery and
// useMutation infer the result and variables types from each TypedDocumentNode.
// `make client` type-checks this file with --strict; each @ts-expect-error below must meet an
// error, so the check also fails if the documents ever stop carrying their types.
import { ApolloClient, ApolloError, HttpLink, InMemoryCache, useMutation, useQuery } from '@apollo/client';
import {
  CreateProjectDocument,
  ProjectMembersDocument,
  RemoveMemberDocument,
  errorCode,
  type ProjectRole,
} from '../src/index.js';

export function apolloClient(token: string): ApolloClient<object> {
  return new ApolloClient({
    link: new HttpLink({ uri: 'http://localhost:8080/graphql', headers: { Authorization: `Bearer ${token}` } }),
    cache: new InMemoryCache(),
  });
}

/** The members of a project as "email (ROLE)", or null when the viewer may not see it. */
export async function memberLines(client: ApolloClient<object>, projectId: string, role?: ProjectRole): Promise<string[] | null> {
  const { data } = await client.query({ query: ProjectMembersDocument, variables: { id: projectId, first: 50, role } });
  if (!data.project) return null;
  // @ts-expect-error: totalCount is a number, not a string.
  const wrong: string = data.project.members.totalCount;
  void wrong;
  return data.project.members.edges.map(({ node }) => `${node.user.email} (${node.role})`);
}

/** Creates a project; a bad name comes back as BAD_USER_INPUT, read from the ApolloError. */
export async function createProject(client: ApolloClient<object>, name: string): Promise<string | { code: string | undefined }> {
  // @ts-expect-error: the variable is input: { name }, not name.
  await client.mutate({ mutation: CreateProjectDocument, variables: { name } }).catch(() => undefined);
  try {
    const { data } = await client.mutate({ mutation: CreateProjectDocument, variables: { input: { name } } });
    return data!.createProject.id;
  } catch (e) {
    if (e instanceof ApolloError) return { code: errorCode(e) };
    throw e;
  }
}

/** In a React component: the members' emails, and a remove button's handler. */
export function useMembers(projectId: string): { emails: string[]; remove: (userId: string) => Promise<boolean> } {
  const { data } = useQuery(ProjectMembersDocument, { variables: { id: projectId, first: 50 } });
  // @ts-expect-error: a member's user.email is a string, not a boolean.
  const wrong: boolean | undefined = data?.project?.members.edges[0]?.node.user.email;
  void wrong;
  const [removeMember] = useMutation(RemoveMemberDocument);
  return {
    emails: data?.project?.members.edges.map(({ node }) => node.user.email) ?? [],
    remove: async (userId) => {
      // @ts-expect-error: removeMember takes projectId and userId.
      await removeMember({ variables: { userId } }).catch(() => undefined);
      const result = await removeMember({ variables: { projectId, userId } });
      return result.data?.removeMember ?? false;
    },
  };
}
