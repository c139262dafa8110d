// graphql-eslint's recommended schema rules (flat/schema-recommended) and its Relay rules
// (flat/schema-relay) over the server's schema: schema.graphqls and graph/schema/*.graphqls.
// e2e/schema_lint_test.go runs it from the repository's root and fails on any error:
//   e2e/schemalint/node_modules/.bin/eslint -c e2e/schemalint/eslint.config.mjs schema.graphqls graph/schema/*.graphqls
// Three rules take options here, each for a reason given beside it; none is turned off.
import graphql from '@graphql-eslint/eslint-plugin';

export default [
  {
    files: ['**/*.graphqls'],
    languageOptions: {
      parser: graphql.parser,
      // The rules that need the whole schema (no-unreachable-types, the Relay rules) load it here.
      parserOptions: { graphQLConfig: { schema: ['schema.graphqls', 'graph/schema/*.graphqls'] } },
    },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      ...graphql.configs['flat/schema-recommended'].rules,
      ...graphql.configs['flat/schema-relay'].rules,
      // The schema's descriptions are one-line strings ("..."), not the rule's default block
      // strings ("""..."""): the style is the project's, and checked as such. The one
      // description of many lines, the schema's list of error codes, says so where it is.
      '@graphql-eslint/description-style': ['error', { style: 'inline' }],
      // Every object with an identity has `id: ID!` (Node). The contract fixes these types,
      // which have none of their own: Relay's pages and positions (*Connection, *Edge,
      // PageInfo), a mutation's result (*Payload), a bulk invite's per-row outcomes and its
      // counts, and what a token's holder sees before joining (*Preview: no IDs, by design);
      // removeMembers' per-row outcome (named by the `userId` it was given) and a project's
      // insights and their buckets (figures, not objects).
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          exceptions: {
            suffixes: ['Connection', 'Edge', 'Payload', 'Preview'],
            types: ['PageInfo', 'NewInvitation', 'ExistingInvitation', 'ExistingMember', 'FailedInvite', 'BulkInviteSummary',
              'MemberActionResult', 'ProjectInsights', 'InsightsBucket', 'Suppression', 'JoinableProject'],
          },
        },
      ],
      // Relay's rule that a list holds only edges would make every list a connection. The
      // contract fixes a few plain lists, each bounded: `nodes` (Relay's own, at most 100 IDs),
      // a bulk invite's results (one per row, at most 10,000), myInvites (at most 200),
      // webhookEndpoints (at most WEBHOOK_ENDPOINT_LIMIT), and lists of strings and roles.
      '@graphql-eslint/relay-edge-types': ['error', { listTypeCanWrapOnlyEdgeType: false }],
    },
  },
];
