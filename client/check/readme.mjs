// Checks that README.md's TypeScript is the code that make client compiles: each ```ts block
// must follow a `<!-- example/<file> -->` line and be that file's whole text, and each file
// named so must exist. The files are type-checked by example/tsconfig*.json.
// Run by check.sh: `node check/readme.mjs` in client/.
import { readFileSync } from 'node:fs';

const readme = readFileSync('README.md', 'utf8');
const problems = [];
const block = /^(?:<!-- (example\/[\w./-]+) -->\n)?```(\w*)\n([\s\S]*?)^```$/gm;
let quoted = 0;
for (const m of readme.matchAll(block)) {
  const [, file, lang, body] = m;
  const line = readme.slice(0, m.index).split('\n').length;
  if (!file) {
    if (lang === 'ts' || lang === 'tsx') problems.push(`README.md:${line}: a \`\`\`${lang} block with no <!-- example/... --> line before it`);
    continue;
  }
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    problems.push(`README.md:${line}: ${file} does not exist`);
    continue;
  }
  if (text !== body) problems.push(`README.md:${line}: the block differs from ${file}: copy the file into it`);
  quoted++;
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`README.md: ${quoted} blocks are the example files`);
