import { testSealer } from "../support/sealed";
import { randomBytes } from "node:crypto";
import { createQueueTimers, type DueTimer } from "../../src/conversations/queue-timers";
import { createJobProducer, type JobProducer } from "../../src/jobs/job-queue";
import { jst } from "../support/stats-history";
import { gunma } from "../support/presets";
import { testJobs } from "../support/test-jobs";
import { createTestDatabase, type TestDatabase } from "../support/test-env";

/**
 * The queue's waiting clocks and the opening hours, on the real Gunma hours (西毛: weekdays
 * 9:30–16:30; public holidays closed; waitLimitMinutes 15,
 * tellAgainMinutes 20, answerLimitMinutes 10), with the clock chosen by the test.
 * 2026-11-23 is 勤労感謝の日 (a Monday holiday); 2026-11-24 is an ordinary Tuesday.
 */
describe("queue timers and opening hours", () => {
  let db: TestDatabase;
  let producer: JobProducer;
  const preset = gunma();
  const timers = () =>
    createQueueTimers({
      prisma: db.prisma,
      preset,
      sealer: testSealer,
      dispatcher: testJobs(db, producer).dispatcher,
    });

  beforeEach(async () => {
    db = await createTestDatabase();
    // BullMQ on the test database's own PostgreSQL backend: the jobs a timer asks for land there.
    producer = createJobProducer({ redisUrl: undefined, databaseUrl: db.url }, () => undefined);
  });
  afterEach(async () => {
    await producer.close();
    await db.drop();
  });

  async function waiting(since: string, regionId = "seimo", servingRegionId: string | null = null) {
    const hash = randomBytes(16).toString("hex");
    const person = await db.prisma.person.create({
      data: { lineUserHash: hash, lineUserIdEnc: randomBytes(8), pseudonym: `P-${hash}` },
    });
    const at = jst(since);
    return db.prisma.conversation.create({
      data: {
        personId: person.id,
        status: "waiting",
        startedAt: at,
        lastMessageAt: at,
        waitingSince: at,
        regionId,
        servingRegionId,
        overflowRegions: servingRegionId ? [servingRegionId] : [],
      },
    });
  }
  const kinds = (due: DueTimer[], conversationId: string) =>
    due.filter((t) => t.conversationId === conversationId).map((t) => t.kind);

  it("neither alerts supervisors nor tells her again while her region is closed", async () => {
    const c = await waiting("2026-11-23 20:00"); // a holiday evening
    // Through the night and the holiday: hours pass, nothing falls due.
    for (const now of ["2026-11-23 23:00", "2026-11-24 03:00", "2026-11-24 09:00"]) {
      expect(kinds(await timers().due(jst(now), 100), c.id)).toEqual([]);
    }
  });

  it("starts the waiting clocks when the region opens, and counts only open time", async () => {
    const c = await waiting("2026-11-23 20:00");
    // 西毛 opens at 9:30: ten minutes later her wait of thirteen hours is not yet over the limit.
    expect(kinds(await timers().due(jst("2026-11-24 09:40"), 100), c.id)).toEqual([]);
    // Open for 16 minutes: over the 15-minute limit, so supervisors are alerted.
    expect(kinds(await timers().due(jst("2026-11-24 09:46"), 100), c.id)).toEqual([
      "wait-over-limit",
    ]);
    // Open for 21 minutes: she is told again how long it may take.
    expect(kinds(await timers().due(jst("2026-11-24 09:51"), 100), c.id).sort()).toEqual([
      "tell-again",
      "wait-over-limit",
    ]);
  });

  it("alerts and tells her again during opening hours, once each", async () => {
    const c = await waiting("2026-11-24 11:00");
    const due = await timers().due(jst("2026-11-24 11:25"), 100);
    const mine = due.filter((t) => t.conversationId === c.id);
    expect(mine.map((t) => t.kind).sort()).toEqual(["tell-again", "wait-over-limit"]);
    for (const timer of mine) await timers().fire(timer, jst("2026-11-24 11:25"));
    const after = await db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } });
    expect(after.waitAlertedAt).not.toBeNull();
    expect(after.overflowRegions).toEqual(["chuhoku", "tomo"]);
    expect(await db.prisma.supervisorAlert.count({ where: { conversationId: c.id } })).toBe(1);
    const told = await db.prisma.outboundDelivery.count({ where: { personId: c.personId } });
    expect(told).toBe(1);
    // The same timers run again (a retried job): nothing more happens.
    for (const timer of mine) await timers().fire(timer, jst("2026-11-24 11:26"));
    expect(await db.prisma.supervisorAlert.count({ where: { conversationId: c.id } })).toBe(1);
    expect(await db.prisma.outboundDelivery.count({ where: { personId: c.personId } })).toBe(told);
  });

  it("does nothing when a waiting clock's job runs after closing time", async () => {
    const c = await waiting("2026-11-24 16:00");
    const due = (await timers().due(jst("2026-11-24 16:25"), 100)).filter(
      (t) => t.conversationId === c.id,
    );
    expect(due.map((t) => t.kind).sort()).toEqual(["tell-again", "wait-over-limit"]);
    // The jobs run late, after 16:30: the region has closed.
    for (const timer of due) await timers().fire(timer, jst("2026-11-24 16:45"));
    expect(await db.prisma.supervisorAlert.count({ where: { conversationId: c.id } })).toBe(0);
    expect(await db.prisma.outboundDelivery.count({ where: { personId: c.personId } })).toBe(0);
  });

  describe("while her region is closed and a neighbour is open (東毛 closes on Mondays)", () => {
    it("her clocks run by the hours and rules of the region whose queue she joined", async () => {
      // 2026-11-30 is a Monday: 東毛 closed all day, 中北毛 open 10–17.
      const c = await waiting("2026-11-30 11:00", "tomo", "chuhoku");
      expect(kinds(await timers().due(jst("2026-11-30 11:14"), 100), c.id)).toEqual([]);
      const due = (await timers().due(jst("2026-11-30 11:16"), 100)).filter(
        (t) => t.conversationId === c.id,
      );
      expect(due.map((t) => t.kind)).toEqual(["wait-over-limit"]);
      for (const timer of due) await timers().fire(timer, jst("2026-11-30 11:16"));
      const after = await db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } });
      expect(after.waitAlertedAt).not.toBeNull();
      // 中北毛 keeps her; its own neighbours may now take her too; her home region stays hers.
      expect(after).toMatchObject({ regionId: "tomo", servingRegionId: "chuhoku" });
      expect(after.overflowRegions).toEqual(["chuhoku", "seimo"]);
      // 中北毛 closes at 17:00: nothing more falls due for her in the evening.
      expect(kinds(await timers().due(jst("2026-11-30 18:00"), 100), c.id)).toEqual([]);
    });

    it("a woman who waits in her closed region's queue joins the first neighbour to open", async () => {
      // Handed off at 3:00 on a Monday: nobody open; 西毛 opens at 9:30, 中北毛 at 10:00.
      const c = await waiting("2026-11-30 03:00", "tomo");
      expect(kinds(await timers().due(jst("2026-11-30 09:00"), 100), c.id)).toEqual([]);
      const due = (await timers().due(jst("2026-11-30 09:31"), 100)).filter(
        (t) => t.conversationId === c.id,
      );
      expect(due.map((t) => t.kind)).toEqual(["open-neighbour"]);
      for (const timer of due) await timers().fire(timer, jst("2026-11-30 09:31"));
      const after = await db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } });
      expect(after).toMatchObject({
        regionId: "tomo",
        servingRegionId: "seimo",
        outOfHours: false,
      });
      expect(after.overflowRegions).toEqual(["seimo"]);
      // Nothing is pushed to her for it (a shared phone at 9:31); the timer is spent.
      expect(await db.prisma.outboundDelivery.count({ where: { personId: c.personId } })).toBe(0);
      expect(kinds(await timers().due(jst("2026-11-30 09:32"), 100), c.id)).toEqual([]);
    });

    it("on a Tuesday, once 東毛 is open, she stays in her own region's queue", async () => {
      const c = await waiting("2026-12-01 03:00", "tomo");
      expect(kinds(await timers().due(jst("2026-12-01 10:05"), 100), c.id)).toEqual([]);
    });
  });
});
