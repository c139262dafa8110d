// Apollo Client with the generated documents: client.query, client.mutate, useQuery and
// useMutation infer the result and variables types from each TypedDocumentNode. make client
// checks this file against Apollo Client 3 and 4; each @ts-expect-error below must meet an
// error in both, so the check fails if the documents ever stop carrying their types.
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { CreateProjectDocument, ProjectMembersDocument, RemoveMemberDocument, errorCode, type ProjectRole } from '@invites/client';

const apollo = new ApolloClient({ link: new HttpLink({ uri: 'http://localhost:8080/graphql' }), cache: new InMemoryCache() });

export async function memberLines(projectId: string, role?: ProjectRole): Promise<string[] | null> {
  const { data } = await apollo.query({ query: ProjectMembersDocument, variables: { id: projectId, first: 50, role } });
  if (!data?.project) return null;
  // @ts-expect-error: totalCount is a number, not a string.
  const wrong: string = data.project.members.totalCount;
  void wrong;
  return data.project.members.edges.map(({ node }) => `${node.user.email} (${node.role})`);
}

export async function createProject(name: string): Promise<string | { code: string | undefined }> {
  // @ts-expect-error: the variable is input: { name }, not name.
  await apollo.mutate({ mutation: CreateProjectDocument, variables: { name } }).catch(() => undefined);
  try {
    const { data } = await apollo.mutate({ mutation: CreateProjectDocument, variables: { input: { name } } });
    return data!.createProject.id;
  } catch (e) {
    return { code: errorCode(e) };
  }
}

export function useMembers(projectId: string): { emails: string[]; remove: (userId: string) => Promise<boolean> } {
  const { data, error } = useQuery(ProjectMembersDocument, { variables: { id: projectId, first: 50 } });
  // @ts-expect-error: a member's user.email is a string, not a boolean.
  const wrong: boolean | undefined = data?.project?.members.edges[0]?.node.user.email;
  void wrong;
  const code: string | undefined = errorCode(error);
  void code;
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
