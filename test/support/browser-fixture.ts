import type { Browser } from "playwright-core";
import { launchBrowser } from "./browser";
import { createAccounts, type Account } from "./console-page";
import { startServiceWithSimulator, type ServiceUnderTest } from "./service-harness";

/** Starting a service, migrating its database and launching Chromium on a busy machine. */
const START_TIMEOUT_MS = 60_000;

export interface BrowserFixture<T> {
  /** What the browser is pointed at, as `start` returned it. */
  readonly target: T;
  readonly browser: Browser;
}

/**
 * A suite's browser and what it is pointed at. In beforeAll: `start` runs, Chromium is launched,
 * then `prepare` fills the target with what the suite needs (Chromium settles meanwhile). In
 * afterAll the browser closes first (no page is left talking to a stopped server), then the
 * target stops, even if `prepare` failed. Read the fields inside a test, once beforeAll has run.
 */
export function browserFixture<T extends { stop(): Promise<void> }>(
  start: () => Promise<T>,
  prepare: (target: T) => Promise<void> = async () => {},
): BrowserFixture<T> {
  let target: T | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    target = await start();
    browser = await launchBrowser();
    await prepare(target);
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
    await target?.stop();
  });
  return {
    get target() {
      return started(target, "the target");
    },
    get browser() {
      return started(browser, "the browser");
    },
  };
}

export interface ServiceBrowserFixture {
  readonly s: ServiceUnderTest;
  readonly browser: Browser;
}

/**
 * The whole service with the LINE simulator as LINE (see service-harness.ts), a browser, and
 * these console accounts (password: PASSWORD of console-page.ts); `seed` adds what else the
 * suite needs before its tests run.
 */
export function serviceBrowserFixture(
  options: NonNullable<Parameters<typeof startServiceWithSimulator>[0]> & {
    accounts?: Account[];
    seed?: (s: ServiceUnderTest) => Promise<void>;
  } = {},
): ServiceBrowserFixture {
  const { accounts = [], seed, ...service } = options;
  const fixture = browserFixture(
    () => startServiceWithSimulator(service),
    async (s) => {
      await createAccounts(s.db.prisma, accounts);
      await seed?.(s);
    },
  );
  return {
    get s() {
      return fixture.target;
    },
    get browser() {
      return fixture.browser;
    },
  };
}

function started<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not started: read it inside a test`);
  return value;
}
