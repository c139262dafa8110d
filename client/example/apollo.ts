import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { errorCode, ProjectMembersDocument, ProjectsDocument } from '@invites/client';

export function createApolloClient(token: string) {
  return new ApolloClient({
    link: new HttpLink({ uri: 'https://invites.example/graphql', headers: { Authorization: `Bearer ${token}` } }),
    cache: new InMemoryCache(),
  });
}

export async function projectNames(apollo: ReturnType<typeof createApolloClient>): Promise<string[]> {
  const { data } = await apollo.query({ query: ProjectsDocument, variables: { first: 20 } });
  return data?.projects.edges.map(({ node }) => node.name) ?? [];
}

/** In a React component: the project's members' emails. */
export function useMemberEmails(projectId: string): { emails: string[]; signedOut: boolean } {
  const { data, error } = useQuery(ProjectMembersDocument, { variables: { id: projectId, first: 50 } });
  return {
    emails: data?.project?.members.edges.map(({ node }) => node.user.email) ?? [],
    signedOut: errorCode(error) === 'UNAUTHENTICATED',
  };
}
