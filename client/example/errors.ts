import type { Client } from '@urql/core';
import { CreateInviteDocument, errorCode, errorField } from '@invites/client';

export async function invite(client: Client, projectId: string, email: string): Promise<string> {
  const { data, error } = await client.mutation(CreateInviteDocument, { input: { projectId, email, role: 'CONTRIBUTOR' } }).toPromise();
  switch (errorCode(error)) {
    case undefined:
      return `invited ${data!.createInvite.email}`;
    case 'ALREADY_INVITED':
      return `${email} has a pending invite already`;
    case 'EMAIL_NOT_VERIFIED':
      return 'verify your email first';
    case 'BAD_USER_INPUT':
      return `check the ${errorField(error)}`;
    default:
      throw error;
  }
}
