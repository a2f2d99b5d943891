import { screenshot } from "../support/browser";
import { serviceBrowserFixture } from "../support/browser-fixture";
import { handOverFrom, itemSaying, openConsole } from "../support/console-page";
import { eventually } from "../support/eventually";
import { gunmaOpenAroundTheClock } from "../support/presets";

/**
 * The database goes away for a few seconds while a counsellor has a conversation open. What the
 * woman wrote meanwhile reaches the open conversation once LINE redelivers it, without a
 * reload, and her next messages come live again.
 */
describe("the counsellor console across a database outage", () => {
  const suite = serviceBrowserFixture({
    preset: gunmaOpenAroundTheClock(),
    databaseProxy: true,
    accounts: [
      { loginName: "nishi", displayName: "にしだ", role: "counsellor", regionId: "seimo" },
    ],
  });

  it("shows in the open conversation what she wrote during the outage, then goes on live", async () => {
    const { s, browser } = suite;
    const proxy = s.databaseProxy;
    if (!proxy) throw new Error("no proxy");
    const nishi = (await openConsole(browser, s.url, "nishi")).page;
    const hana = s.sim.person("はな");
    await handOverFrom(hana, "高崎");
    await hana.say("家賃が払えなくて困っています");
    await itemSaying(nishi, "waiting", "家賃が払えなくて")
      .getByRole("button", { name: /対応する/ })
      .click();
    await nishi.locator("#conv-title", { hasText: "さん" }).waitFor();
    const incoming = (text: string) =>
      nishi.locator('[data-testid="message"][data-direction="in"]', { hasText: text });

    proxy.cut();
    const during = await hana.say("聞こえていますか");
    expect(during.status).toBe(503);
    // Down until the service, unasked, has tried the database again and been refused (the
    // outbox sweep, the live events listener reconnecting), not only for her one request.
    const refusedSoFar = proxy.refused;
    await eventually(
      () => Promise.resolve(proxy.refused),
      (n) => n > refusedSoFar,
    );
    proxy.restore();
    await eventually(
      () => hana.redeliver(during.webhookEventId),
      (r) => r.status === 200,
    );
    // Well before the page's 30 s fallback refresh (which covers the queue only, anyway).
    await incoming("聞こえていますか").waitFor({ timeout: 10_000 });
    expect(await incoming("聞こえていますか").count()).toBe(1);

    await hana.say("また書きます");
    await incoming("また書きます").waitFor({ timeout: 10_000 });
    await screenshot(nishi, "console-08-after-database-outage");
  }, 90_000);
});
