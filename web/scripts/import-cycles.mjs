// Fails (exit 1) when modules of the app import each other in a circle, and names each circle.
// A circle makes a module's exports undefined while the other half of it is still loading, and
// it is how a layout file ends up importing the pages that import it. Imports are read and
// resolved by TypeScript itself, with tsconfig.json's paths; type-only imports count too.
// Usage: node scripts/import-cycles.mjs [tsconfig.json]
import path from 'node:path';
import ts from 'typescript';

const configFile = path.resolve(process.argv[2] ?? 'tsconfig.json');
const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile);
if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
const { options, fileNames } = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(configFile));
const ours = new Set(fileNames.map((f) => path.resolve(f)));

/** The files of ours that file imports. */
function importsOf(file) {
  const { importedFiles } = ts.preProcessFile(ts.sys.readFile(file) ?? '', true, true);
  return importedFiles
    .map(({ fileName }) => ts.resolveModuleName(fileName, file, options, ts.sys).resolvedModule?.resolvedFileName)
    .filter((f) => f !== undefined && ours.has(path.resolve(f)))
    .map((f) => path.resolve(f));
}

const graph = new Map([...ours].map((f) => [f, importsOf(f)]));
const cycles = [];
const state = new Map(); // 1: on the current path, 2: done
const trail = [];
function visit(file) {
  state.set(file, 1);
  trail.push(file);
  for (const next of graph.get(file) ?? []) {
    if (state.get(next) === 1) cycles.push([...trail.slice(trail.indexOf(next)), next]);
    else if (!state.has(next)) visit(next);
  }
  trail.pop();
  state.set(file, 2);
}
for (const file of graph.keys()) if (!state.has(file)) visit(file);

const here = (f) => path.relative(process.cwd(), f);
if (cycles.length > 0) {
  console.error(`${cycles.length} import ${cycles.length === 1 ? 'circle' : 'circles'} (break each by moving what both sides share into src/components/ or a module of its own):`);
  for (const c of cycles) console.error('  ' + c.map(here).join(' -> '));
  process.exit(1);
}
console.log(`no import circles among ${graph.size} modules`);
