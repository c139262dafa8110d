// A graphql-codegen plugin: one exported string per operation in the documents, holding the
// operation and every fragment it uses, typed with the operation's result and variables as
// typescript-operations names them, so that request() infers both from the document alone.
// It also fails when a field of Query or Mutation has no operation: the client covers the API.
'use strict';

const { Kind, print, visit } = require('graphql');

const suffixes = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };

function fragmentsUsedBy(node, fragments, seen = new Set()) {
  visit(node, {
    FragmentSpread(spread) {
      const name = spread.name.value;
      if (seen.has(name)) return;
      const fragment = fragments.get(name);
      if (!fragment) throw new Error(`unknown fragment ${name}`);
      seen.add(name);
      fragmentsUsedBy(fragment, fragments, seen);
    },
  });
  return seen;
}

// A template literal keeps the printed document readable in the generated file and its diffs.
function templateLiteral(text) {
  return '`' + text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
}

function checkEveryRootFieldUsed(schema, operations) {
  const roots = {
    query: schema.getQueryType(),
    mutation: schema.getMutationType(),
    subscription: schema.getSubscriptionType(),
  };
  const used = new Set();
  for (const op of operations) {
    for (const s of op.selectionSet.selections) {
      if (s.kind === Kind.FIELD) used.add(`${roots[op.operation].name}.${s.name.value}`);
    }
  }
  const missing = Object.values(roots)
    .filter(Boolean)
    .flatMap((type) => Object.keys(type.getFields()).map((f) => `${type.name}.${f}`))
    .filter((f) => !used.has(f));
  if (missing.length > 0) {
    throw new Error(`no operation in operations/ uses ${missing.join(', ')}: add a document for each`);
  }
}

module.exports = {
  plugin(schema, documents, config) {
    const typesPath = config.typesPath || './graphql';
    const definitions = documents.flatMap((file) => file.document.definitions);
    const fragments = new Map();
    for (const d of definitions) {
      if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    }
    const operations = definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    for (const op of operations) {
      // typescript-operations Pascal-cases names; requiring them so keeps both sides in step.
      if (!op.name || !/^[A-Z][a-zA-Z]*$/.test(op.name.value)) {
        throw new Error(`operation ${op.name ? op.name.value : '(anonymous)'}: give it a PascalCase name`);
      }
    }
    operations.sort((a, b) => (a.name.value < b.name.value ? -1 : 1));

    checkEveryRootFieldUsed(schema, operations);

    const imports = [];
    const constants = [];
    for (const op of operations) {
      const name = op.name.value;
      const suffix = suffixes[op.operation];
      const data = name.endsWith(suffix) ? name : name + suffix;
      const variables = `${data}Variables`;
      const used = [...fragmentsUsedBy(op, fragments)].sort().map((f) => fragments.get(f));
      const text = [op, ...used].map((d) => print(d)).join('\n\n');
      imports.push(data, variables);
      constants.push(
        `export const ${name}Document = ${templateLiteral(text)} as DocumentString<${data}, ${variables}>;`,
      );
    }

    return [
      `import type { ${imports.join(', ')} } from '${typesPath}';`,
      '',
      '/** A GraphQL document\'s text, carrying the types of its result and variables (for request()). */',
      'export type DocumentString<TData, TVariables> = string & {',
      '  readonly __resultType?: TData;',
      '  readonly __variablesType?: TVariables;',
      '};',
      '',
      constants.join('\n\n'),
      '',
    ].join('\n');
  },
};
