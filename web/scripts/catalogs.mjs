// Fails (exit 1) when the message catalogs (src/locales/<tag>.json) and the code disagree:
// a message id the code uses that a catalog lacks, a catalog's message no code uses, a
// message that is not valid ICU MessageFormat, or a translation whose placeholders and tags
// differ from the English one's (a translator dropped {project}, or renamed <b>).
// The code names a message by its id in quotes ('invite.title'): t('…'), tr('…'), or a table
// of ids typed MessageId. Usage: node scripts/catalogs.mjs
import fs from 'node:fs';
import path from 'node:path';
import { parse, TYPE } from '@formatjs/icu-messageformat-parser';

const root = path.resolve('src');
const localesDir = path.join(root, 'locales');
const problems = [];

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return p === localesDir ? [] : sources(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** The placeholders and tags of a message, as a sorted list: its shape, which translations keep. */
function shape(elements, out = new Set()) {
  for (const el of elements) {
    if (el.type === TYPE.tag) {
      out.add(`<${el.value}>`);
      shape(el.children, out);
    } else if (el.type === TYPE.plural || el.type === TYPE.select) {
      out.add(`{${el.value}}`);
      for (const o of Object.values(el.options)) shape(o.value, out);
    } else if (el.type !== TYPE.literal && el.type !== TYPE.pound && 'value' in el) {
      out.add(`{${el.value}}`);
    }
  }
  return [...out].sort().join(' ');
}

const catalogs = Object.fromEntries(fs.readdirSync(localesDir).filter((f) => f.endsWith('.json'))
  .map((f) => [f.slice(0, -5), JSON.parse(fs.readFileSync(path.join(localesDir, f), 'utf8'))]));
const en = catalogs.en;
if (!en) throw new Error('src/locales/en.json is missing');

// The ids the code uses: quoted strings shaped like an id ('area.name'), called with t or tr, or
// any such string that is an English message's id (tables of ids).
const used = new Set();
const called = new Set();
for (const file of sources(root)) {
  const text = fs.readFileSync(file, 'utf8');
  for (const m of text.matchAll(/\btr?\(\s*['"]([^'"]+)['"]/g)) called.add(`${m[1]}\u0000${path.relative('.', file)}`);
  for (const m of text.matchAll(/['"]([a-zA-Z]+(?:\.[a-zA-Z0-9]+)+)['"]/g)) if (m[1] in en) used.add(m[1]);
}
for (const entry of called) {
  const [id, file] = entry.split('\u0000');
  used.add(id);
  for (const [tag, catalog] of Object.entries(catalogs)) {
    if (!(id in catalog)) problems.push(`${file}: message "${id}" is missing from locales/${tag}.json`);
  }
}

for (const [tag, catalog] of Object.entries(catalogs)) {
  for (const id of Object.keys(en)) if (!(id in catalog)) problems.push(`locales/${tag}.json: lacks "${id}" (in en.json)`);
  for (const [id, message] of Object.entries(catalog)) {
    if (!used.has(id)) problems.push(`locales/${tag}.json: "${id}" is used by no code`);
    if (typeof message !== 'string' || message.trim() === '') {
      problems.push(`locales/${tag}.json: "${id}" is empty`);
      continue;
    }
    let parsed;
    try {
      parsed = parse(message);
    } catch (e) {
      problems.push(`locales/${tag}.json: "${id}" is not ICU MessageFormat: ${e.message}`);
      continue;
    }
    if (id in en && tag !== 'en' && shape(parsed) !== shape(parse(en[id]))) {
      problems.push(`locales/${tag}.json: "${id}" has ${shape(parsed) || 'no placeholders'}; en.json has ${shape(parse(en[id])) || 'none'}`);
    }
  }
}

if (problems.length > 0) {
  console.error(`message catalogs: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`message catalogs: ${Object.keys(catalogs).length} languages, ${Object.keys(en).length} messages each, all used`);
