// Holding back the answer to a read (route interception) so that it comes late: after the reads
// that an action makes meanwhile. The list pages must show the newer answer and keep it.
import type { Page, Request } from '@playwright/test';
import { expect } from './fixtures';

export interface Held {
  /** Every request for the operation since the hold began, in order; the first is held. */
  requests: Request[];
  /** Waits until the first request is held (its answer fetched from the server meanwhile). */
  caught(): Promise<Request>;
  /** Gives the page the held answer (refused when the page had ended that read and the browser
   * aborted it), then waits until the page has had it or dropped it, and two turns of its event
   * loop more. */
  release(): Promise<void>;
}

/** Holds back the answer to the next request for the GraphQL operation named. */
export async function holdNext(page: Page, operationName: string): Promise<Held> {
  const requests: Request[] = [];
  let answer: (() => Promise<void>) | undefined;
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => { settle = resolve; });
  const onSettled = (r: Request) => { if (r === requests[0]) settle(); };
  page.on('requestfinished', onSettled);
  page.on('requestfailed', onSettled);
  await page.route('**/graphql', async (route) => {
    if (route.request().postDataJSON()?.operationName !== operationName) return route.fallback();
    requests.push(route.request());
    if (requests.length > 1) return route.fallback();
    const response = await route.fetch();
    answer = () => route.fulfill({ response });
  });
  return {
    requests,
    async caught() {
      await expect.poll(() => answer !== undefined, `the first ${operationName} read held`).toBe(true);
      return requests[0]!;
    },
    async release() {
      await answer!().catch(() => {});
      await settled;
      for (let i = 0; i < 2; i++) await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    },
  };
}

/** The variables a GraphQL request sent. */
export const variablesOf = (r: Request): Record<string, unknown> => r.postDataJSON()?.variables;
