import type { BrowserContext } from "playwright-core";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { openConsole } from "../support/console-page";

declare global {
  interface Window {
    cspViolations: string[];
  }
}

/**
 * The console's pages work under their strict content security policy (no inline script, own
 * origin only): a policy that blocked part of the console would show here as a violation.
 */
describe("the console under its content security policy", () => {
  const suite = serviceBrowserFixture({
    accounts: [
      { loginName: "sv", displayName: "スーパーバイザー", role: "supervisor", regionId: null },
    ],
  });

  /** Every violation the browser reports in this context, as "directive uri". */
  async function watchViolations(context: BrowserContext) {
    await context.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener("securitypolicyviolation", (e) => {
        window.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`);
      });
    });
  }

  it("runs the queue and the statistics page with no violation, and reports one when it happens", async () => {
    const { s, browser } = suite;
    const { context, page } = await openConsole(browser, s.url, "sv");
    await watchViolations(context);
    await page.reload();
    await page.locator('#live-status[data-state="up"]').waitFor();
    expect(await page.evaluate(() => window.cspViolations)).toEqual([]);

    await page.goto(`${s.url}/console/stats.html`);
    await page.locator("body[data-ready=true]").waitFor();
    expect(await page.evaluate(() => window.cspViolations)).toEqual([]);

    // The watch itself works: an image from another origin is refused and reported.
    await page.evaluate(() => {
      const img = document.createElement("img");
      img.src = "https://tracker.example/pixel.png";
      document.body.append(img);
    });
    await page.waitForFunction(() => window.cspViolations.length > 0);
    expect(await page.evaluate(() => window.cspViolations)).toEqual([
      "img-src https://tracker.example/pixel.png",
    ]);
    await context.close();
  }, 60_000);
});
