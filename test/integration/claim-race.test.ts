/**
 * "Counsellors take conversations in one transaction (two can never take the same one)": the
 * race made to happen every time. A separate connection holds her conversation's row lock while
 * both claims are sent; once PostgreSQL shows both requests waiting on that lock, the holder
 * lets go and the two claims meet the row one after the other.
 */
import { Client } from "pg";
import { createSealer } from "../../src/privacy/sealer";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { eventually } from "../support/eventually";
import { handOff } from "../support/handoff";
import { gunmaOpenAroundTheClock, withRoomForEveryChat } from "../support/presets";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { testConfig } from "../support/test-env";

const sealer = createSealer(testConfig({ databaseUrl: "" }).appSecretKey);

describe("two counsellors claiming the same conversation", () => {
  let s: ServiceUnderTest;
  let holder: Client;

  beforeAll(async () => {
    s = await startServiceWithSimulator({
      preset: withRoomForEveryChat(gunmaOpenAroundTheClock()),
    });
    await account(s.db.prisma, "west", "counsellor", "seimo");
    await account(s.db.prisma, "west2", "counsellor", "seimo");
    holder = new Client({ connectionString: s.db.url });
    await holder.connect();
  }, 60_000);
  afterAll(async () => {
    await holder.end();
    await s.stop();
  });

  /** Backends of this test's database waiting for a lock (the holder's row lock here). */
  async function waitingOnLocks(): Promise<number> {
    const { rows } = await holder.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    return rows[0]?.n ?? 0;
  }

  it("lets exactly one take her, the other is told ALREADY_TAKEN, and one claim is audited", async () => {
    const west = await ConsoleClient.signedIn(s.url, "west", PASSWORD);
    const west2 = await ConsoleClient.signedIn(s.url, "west2", PASSWORD);
    const her = s.sim.person();
    await handOff(her, "安中");
    const c = await s.db.prisma.conversation.findFirstOrThrow({
      where: { person: { lineUserHash: sealer.hash(her.userId) } },
    });
    expect(c.status).toBe("waiting");

    await holder.query("BEGIN");
    await holder.query("SELECT id FROM conversation WHERE id = $1 FOR UPDATE", [c.id]);
    const claims = Promise.all([
      west.post(`/api/v1/conversations/${c.id}/claim`),
      west2.post(`/api/v1/conversations/${c.id}/claim`),
    ]);
    try {
      // Both requests are inside their transactions, held at the row: neither has read it yet.
      await eventually(waitingOnLocks, (n) => n === 2);
    } finally {
      await holder.query("COMMIT");
    }
    const results = await claims;

    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = results.find((r) => r.status === 409);
    expect(loser?.json).toMatchObject({ code: "ALREADY_TAKEN" });
    const winner = results[0]?.status === 200 ? "west" : "west2";
    const stored = await s.db.prisma.conversation.findUniqueOrThrow({
      where: { id: c.id },
      include: { assignedTo: true },
    });
    expect(stored).toMatchObject({ status: "active", assignedTo: { loginName: winner } });
    const claimsAudited = await s.db.prisma.auditEntry.findMany({
      where: { conversationId: c.id, action: "claim" },
      include: { counsellor: true },
    });
    expect(claimsAudited.map((a) => [a.counsellor?.loginName, a.detail])).toEqual([
      [winner, { from: "waiting", to: "active" }],
    ]);
  }, 60_000);
});
