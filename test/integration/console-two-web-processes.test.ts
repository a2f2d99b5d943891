import { BUDGETS } from "../../src/console/sign-in-throttle";
import { startRuntime, type Runtime } from "../../src/main/runtime";
import { createSealer } from "../../src/privacy/sealer";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { handOff } from "../support/handoff";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { createTestRedisUrl, testConfig } from "../support/test-env";

const sealer = createSealer(testConfig({ databaseUrl: "" }).appSecretKey);

/**
 * Two web processes on one database: the claim is decided, and sign-in guesses are counted, in
 * PostgreSQL, not in memory.
 */
describe("claims across two web processes", () => {
  let s: ServiceUnderTest;
  let secondWeb: Runtime;

  beforeAll(async () => {
    s = await startServiceWithSimulator();
    secondWeb = await startRuntime(
      testConfig({ databaseUrl: s.db.url, redisUrl: await createTestRedisUrl() }),
      { web: true, worker: false },
    );
    await account(s.db.prisma, "one", "counsellor", "seimo");
    await account(s.db.prisma, "two", "counsellor", "seimo");
  }, 60_000);
  afterAll(async () => {
    await secondWeb.stop();
    await s.stop();
  });

  it("lets only one counsellor win, each on a different web process, over many rounds", async () => {
    const one = await ConsoleClient.signedIn(s.url, "one", PASSWORD);
    const two = await ConsoleClient.signedIn(secondWeb.url ?? "", "two", PASSWORD);
    const women = [s.sim.person(), s.sim.person(), s.sim.person()];
    for (const her of women) await handOff(her, "高崎");
    for (const her of women) {
      const c = await s.db.prisma.conversation.findFirstOrThrow({
        where: { person: { lineUserHash: sealer.hash(her.userId) } },
      });
      const results = await Promise.all([
        one.post(`/api/v1/conversations/${c.id}/claim`),
        two.post(`/api/v1/conversations/${c.id}/claim`),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const claims = await s.db.prisma.auditEntry.count({
        where: { conversationId: c.id, action: "claim" },
      });
      expect(claims).toBe(1);
    }
  }, 90_000);

  it("shares one sign-in budget between the web processes: guesses spread over both stop at the account's budget", async () => {
    await account(s.db.prisma, "shared", "supervisor", null);
    const urls = [s.url, secondWeb.url ?? ""];
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${urls[i % 2]}/api/v1/session`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ loginName: "shared", password: `guess-${i}` }),
        }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((st) => st === 401)).toHaveLength(BUDGETS.untrustedPerAccount.points);
    expect(statuses.filter((st) => st === 429)).toHaveLength(
      20 - BUDGETS.untrustedPerAccount.points,
    );
    // Spent on one, spent on the other: the right password from a new browser waits on both.
    for (const url of urls) {
      const res = await fetch(`${url}/api/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ loginName: "shared", password: PASSWORD }),
      });
      expect(res.status).toBe(429);
    }
  }, 90_000);
});
