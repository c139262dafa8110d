// Runs eslint.config.mjs over the server's schema from the repository's root (argv[2]) and
// prints one JSON line per problem ({file, line, column, rule, message}), then a summary line
// ({files, rules}). A rule of graphql-eslint's flat/schema-recommended or flat/schema-relay
// configs that the config turned off is a problem too. e2e/schema_lint_test.go reads it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import graphql from '@graphql-eslint/eslint-plugin';

const root = path.resolve(process.argv[2] ?? '.');
const config = path.join(path.dirname(fileURLToPath(import.meta.url)), 'eslint.config.mjs');
process.chdir(root); // graphQLConfig's schema paths are the root's
const eslint = new ESLint({ cwd: root, overrideConfigFile: config });

const wanted = {
  ...graphql.configs['flat/schema-recommended'].rules,
  ...graphql.configs['flat/schema-relay'].rules,
};
const used = (await eslint.calculateConfigForFile('schema.graphqls')).rules ?? {};
const severity = (v) => (Array.isArray(v) ? v[0] : v);
for (const rule of Object.keys(wanted)) {
  const s = severity(used[rule]);
  if (s === undefined || s === 0 || s === 'off') {
    console.log(JSON.stringify({ file: 'e2e/schemalint/eslint.config.mjs', line: 0, column: 0, rule, message: 'the rule is turned off' }));
  }
}

const results = await eslint.lintFiles(['schema.graphqls', 'graph/schema/*.graphqls']);
for (const r of results) {
  for (const m of r.messages) {
    console.log(JSON.stringify({
      file: path.relative(root, r.filePath),
      line: m.line ?? 0,
      column: m.column ?? 0,
      rule: m.ruleId ?? (m.fatal ? 'parse' : ''),
      message: m.message,
    }));
  }
}
console.log(JSON.stringify({ files: results.length, rules: Object.keys(wanted).length }));
