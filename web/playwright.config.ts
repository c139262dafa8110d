// The web app's browser tests (`npm test`): one spec per feature in e2e/, each driving Debian's
// Chromium (never a downloaded browser) through the pages as a person would. The global setup
// starts the real server with its fixtures (e2e/webfixture, a Go program) and stops it after.
import { defineConfig } from '@playwright/test';

/** Debian's Chromium (apt-get install chromium), or another Chromium named by CHROMIUM. */
export const chromium = process.env.CHROMIUM || '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  // One tsconfig for every file the specs load, the client's (../client/src) too: its paths
  // resolve @invites/client and @urql/core to what this folder installs.
  tsconfig: './e2e/tsconfig.json',
  globalSetup: './e2e/global-setup.ts',
  // The specs share one server, each with its own accounts and projects.
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // A spec walks through a whole feature, waiting on emails and jobs: minutes on a busy machine.
  timeout: 3 * 60_000,
  // Waits end as soon as what they wait for shows; the bound is for a machine whose cores
  // other work keeps busy (make test passes with both taken), not a measure of speed.
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: chromium,
      // As root, Chromium refuses its sandbox; the rest keep it from phoning home, as this
      // machine's network is closed but for loopback (the specs fail any other request anyway).
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--disable-dev-shm-usage'],
    },
    viewport: { width: 1280, height: 900 },
    actionTimeout: 30_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
  },
});
