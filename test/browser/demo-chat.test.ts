import { startRuntime } from "../../src/main/runtime";
import { LineSimulator } from "../../src/simulator/line-simulator";
import { simulatorRoutes } from "../../src/simulator/simulator-routes";
import { freePort } from "../../scripts/free-port";
import { screenshot } from "../support/browser";
import { browserFixture } from "../support/browser-fixture";
import {
  createTestDatabase,
  testConfig,
  TEST_ACCESS_TOKEN,
  TEST_CHANNEL_SECRET,
} from "../support/test-env";

/**
 * The demo's arrangement, in a real browser: the simulator's chat page at /simulator/ on the
 * service's own port, the service's real bot (Gunma triage) answering through it.
 */
describe("chatting with the real bot on the simulator page", () => {
  const suite = browserFixture(async () => {
    const db = await createTestDatabase();
    const sim = new LineSimulator({
      channelSecret: TEST_CHANNEL_SECRET,
      channelAccessToken: TEST_ACCESS_TOKEN,
    });
    // The service is its own LINE here, so its port must be known before it starts.
    const port = await freePort();
    const config = testConfig({ databaseUrl: db.url, lineApiBaseUrl: `http://127.0.0.1:${port}` });
    const runtime = await startRuntime(
      { ...config, port },
      { web: true, worker: true, routers: simulatorRoutes(sim) },
    );
    sim.setWebhookUrl(`${runtime.url ?? ""}/webhook/line`);
    return {
      db,
      runtime,
      async stop() {
        await runtime.stop();
        await sim.close();
        await db.drop();
      },
    };
  });

  it("greets her, takes a quick-reply tap and hands her to a counsellor when she asks", async () => {
    const { browser, target } = suite;
    const { db, runtime } = target;
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.goto(`${runtime.url ?? ""}/simulator/`);
    await page.fill("#new-person-name", "みさき");
    await page.click('[data-testid="new-person"]');
    await page.locator("#me", { hasText: "みさき" }).waitFor();

    await page.click('[data-testid="follow"]');
    const theirs = page.locator('[data-testid="theirs"]');
    await theirs.getByText("名前を言わなくても大丈夫です").waitFor();
    await page.locator('[data-testid="quick-reply"]', { hasText: "はい、大丈夫" }).waitFor();
    await screenshot(page, "demo-01-greeting");

    await page.click('[data-testid="quick-reply"] >> text=はい、大丈夫');
    await theirs.getByText("どんなことで困っていますか").waitFor();

    await page.fill('[data-testid="text"]', "相談員と話したいです");
    await page.press('[data-testid="text"]', "Enter");
    await theirs.getByText("相談員におつなぎします").waitFor();
    await screenshot(page, "demo-02-handoff");

    const conversation = await db.prisma.conversation.findFirstOrThrow();
    expect(conversation).toMatchObject({ status: "waiting", handoffReason: "requested" });
    await page.close();
  });
});
