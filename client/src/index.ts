// @invites/client: the typed documents of every operation in operations/ (BulkInviteDocument,
// ProjectsDocument, ...: TypedDocumentNodes, which urql, Apollo Client and graphql-request
// infer result and variables types from), their types, an urql client for the API that
// subscribes over graphql-ws, and readers of the error codes that any GraphQL client reports.
// Server-sent events instead of WebSocket: '@invites/client/sse'.
export * from './generated/graphql.js';
export { createClient, defaultUrl, type InvitesClientOptions } from './client.js';
export { errorCode, errorCodes, errorField, errorReason, graphQLErrorsOf, type GraphQLErrorLike } from './errors.js';
export type { SubscriptionEndpoint, SubscriptionTransport, TokenSource } from './transport.js';
export { websocket, type WebSocketOptions } from './websocket.js';
