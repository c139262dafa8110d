import { GraphQLClient } from 'graphql-request';
import { CreateProjectDocument, errorCode, errorField } from '@invites/client';

export async function createProject(token: string, name: string): Promise<string> {
  const client = new GraphQLClient('https://invites.example/graphql', { headers: { Authorization: `Bearer ${token}` } });
  try {
    const { createProject } = await client.request(CreateProjectDocument, { input: { name } });
    return `created ${createProject.id}`;
  } catch (e) {
    if (errorCode(e) === 'BAD_USER_INPUT') return `check the ${errorField(e)}`; // e is a ClientError
    throw e;
  }
}
