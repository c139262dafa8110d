import { Environment, Network, RecordSource, Store, fetchQuery, graphql } from 'relay-runtime';
import { errorCode } from '@invites/client';
import type { relayProjectsQuery } from './__generated__/relayProjectsQuery.graphql';

export function createEnvironment(url: string, token: () => string | null): Environment {
  const network = Network.create(async (request, variables) => {
    const auth: Record<string, string> = token() ? { Authorization: `Bearer ${token()}` } : {};
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json', ...auth },
      body: JSON.stringify({ query: request.text, variables }),
    });
    return await response.json();
  });
  return new Environment({ network, store: new Store(new RecordSource()) });
}

const projectsQuery = graphql`
  query relayProjectsQuery($first: Int!) {
    projects(first: $first) {
      edges { node { id name viewerRole } }
    }
  }
`;

export async function projectNames(environment: Environment): Promise<string[]> {
  try {
    const data = await fetchQuery<relayProjectsQuery>(environment, projectsQuery, { first: 20 }).toPromise();
    return data?.projects.edges.map(({ node }) => node.name) ?? [];
  } catch (e) {
    if (errorCode(e) === 'UNAUTHENTICATED') return []; // Relay's error.source.errors
    throw e;
  }
}
