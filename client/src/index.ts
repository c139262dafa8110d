// @invites/client: the typed documents of every operation in operations/ (BulkInviteDocument,
// ProjectsDocument, ...: TypedDocumentNodes, which urql, Apollo Client and graphql-request
// infer result and variables types from), their types, and an urql client for the API.
export * from './generated/graphql.js';
export { createClient, defaultUrl, errorCode, errorCodes, errorField, errorReason, graphQLErrorsOf } from './client.js';
export type { ErrorWithGraphQLErrors, InvitesClientOptions } from './client.js';
