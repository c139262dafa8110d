// A graphql-codegen plugin that writes nothing: it fails the run when a field of Query,
// Mutation or Subscription has no operation in operations/, so the client covers the whole API
// and a field added to the schema cannot be forgotten here.
'use strict';

const { Kind } = require('graphql');

/** The root fields ("Query.me", ...) that no operation selects at its top level. */
function unusedRootFields(schema, definitions) {
  const roots = {
    query: schema.getQueryType(),
    mutation: schema.getMutationType(),
    subscription: schema.getSubscriptionType(),
  };
  const used = new Set();
  for (const d of definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const s of d.selectionSet.selections) {
      if (s.kind === Kind.FIELD) used.add(`${roots[d.operation].name}.${s.name.value}`);
    }
  }
  return Object.values(roots)
    .filter(Boolean)
    .flatMap((type) => Object.keys(type.getFields()).map((f) => `${type.name}.${f}`))
    .filter((f) => !used.has(f));
}

module.exports = {
  plugin(schema, documents) {
    const missing = unusedRootFields(schema, documents.flatMap((file) => file.document.definitions));
    if (missing.length > 0) {
      throw new Error(`no operation in operations/ uses ${missing.join(', ')}: add a document for each`);
    }
    return '';
  },
};
