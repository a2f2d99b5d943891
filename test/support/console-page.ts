import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { createCounsellor } from "../../src/console/auth-service";
import type { PrismaClient } from "../../src/db/prisma-client";

export const PASSWORD = "correct-horse-battery-42";

/** A laptop and a tablet held in landscape; the console must work on both. */
export const LAPTOP = { width: 1366, height: 860 };
export const TABLET = { width: 1024, height: 768 };

export interface Account {
  loginName: string;
  displayName: string;
  role: "counsellor" | "supervisor" | "admin";
  regionId: string | null;
}

export async function createAccounts(prisma: PrismaClient, accounts: Account[]): Promise<void> {
  for (const a of accounts) await createCounsellor(prisma, { ...a, password: PASSWORD });
}

/**
 * Its own browser context (own cookie), signed in through the sign-in page. `withoutLiveUpdates`
 * cuts the event stream, as a flaky network would: the page then knows only what it fetched.
 */
export async function openConsole(
  browser: Browser,
  url: string,
  loginName: string,
  options: { viewport?: { width: number; height: number }; withoutLiveUpdates?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? LAPTOP,
    locale: "ja-JP",
    timezoneId: "Asia/Tokyo",
    baseURL: url,
  });
  if (options.withoutLiveUpdates) await context.route("**/api/v1/events", (r) => r.abort());
  const page = await context.newPage();
  await page.goto(`${url}/console/`);
  await signIn(page, loginName);
  if (!options.withoutLiveUpdates) await page.locator('#live-status[data-state="up"]').waitFor();
  return { context, page };
}

export async function signIn(page: Page, loginName: string, password = PASSWORD): Promise<void> {
  await page.getByLabel("ログイン名").fill(loginName);
  await page.getByLabel("パスワード").fill(password);
  await page.getByRole("button", { name: "サインイン" }).click();
  await page.locator("#app").waitFor();
}

export const waitingItems = (page: Page): Locator =>
  page.locator('[data-testid="waiting"] [data-testid="queue-item"]');

export const mineItems = (page: Page): Locator =>
  page.locator('[data-testid="mine"] [data-testid="queue-item"]');

/** The queue item whose preview shows her last message. */
export const itemSaying = (page: Page, list: "waiting" | "mine" | "others", text: string) =>
  page.locator(`[data-testid="${list}"] [data-testid="queue-item"]`, { hasText: text });

/** The API with this page's session (cookie and CSRF token), as a colleague's tool would. */
export async function apiAs(
  page: Page,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const session = await page.request.get("/api/v1/session");
  const { csrfToken } = (await session.json()) as { csrfToken: string };
  const response = await page.request.fetch(path, {
    method,
    headers: { "x-csrf-token": csrfToken },
    ...(body === undefined ? {} : { data: body }),
  });
  const text = await response.text();
  return { status: response.status(), body: text ? (JSON.parse(text) as unknown) : null };
}

/** Her way to a region's queue: see test/support/handoff.ts. */
export { handOff as handOverFrom } from "./handoff";

/** Puts a canned reply into the reply box, as she does: opens the list, searches, clicks it. */
export async function pickCanned(page: Page, words: string): Promise<void> {
  const box = page.locator('[data-testid="canned"]');
  if ((await box.getAttribute("open")) === null) await box.locator("summary").click();
  await page.getByLabel("定型文を探す").fill(words);
  await box.locator('[data-testid="canned-item"] .canned-use', { hasText: words }).first().click();
}
