// Starts the server and its fixtures for the specs (e2e/webfixture: the real server on a fresh
// database, a real SMTP server, and the control server that reads emails and the database) and
// hands their addresses to the specs in WEB_FIXTURE. The fixture holds our pipe to its standard
// input and stops when that closes: here at the end, or when this process dies in any way.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FullConfig } from '@playwright/test';

/** The e2e/ Go module (a module of its own), where webfixture lives. */
const goModule = fileURLToPath(new URL('../../e2e', import.meta.url));

export default async function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  const chromium = config.projects[0]?.use.launchOptions?.executablePath;
  if (!chromium || !existsSync(chromium)) {
    throw new Error(`no Chromium at ${chromium}: apt-get install chromium (or set CHROMIUM); the specs never download a browser`);
  }
  const fixture = spawn('go', ['run', './webfixture'], { cwd: goModule, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => fixture.on('exit', resolve));
  fixture.on('error', (e) => console.error(`webfixture: ${e.message} (the specs need Go to start the server)`));
  process.env.WEB_FIXTURE = await firstLine(fixture, exited);
  return async () => {
    fixture.stdin?.end();
    await exited;
  };
}

/** The fixture's line of JSON, once it is ready; an error if it ends first. */
async function firstLine(fixture: ChildProcess, exited: Promise<number | null>): Promise<string> {
  const lines = createInterface({ input: fixture.stdout! });
  const line = new Promise<string>((resolve) => lines.once('line', resolve));
  // The first run compiles the server, and may start a private PostgreSQL: minutes.
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('webfixture did not start in 5 minutes')), 5 * 60_000).unref());
  const ended = exited.then((code) => { throw new Error(`webfixture ended (exit code ${code}) before it was ready`); });
  try {
    return await Promise.race([line, ended, timeout]);
  } catch (e) {
    fixture.kill();
    throw e;
  }
}
