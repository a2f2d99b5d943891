import { periodOf, type PeriodInput } from "../../src/stats/stats-period";
import { recordsSql, reportSql } from "../../src/stats/stats-queries";
import { rawReportSchema, recordRowSchema } from "../../src/stats/stats-schemas";
import type { StatsFilter } from "../../src/stats/stats-types";
import { jst, statsHistory, type Entry, type LineSession } from "../support/stats-history";
import { recountRecordsSql, recountReportSql } from "../support/stats-recount";
import { createTestDatabase, type TestDatabase } from "../support/test-env";
import { testSealer } from "../support/sealed";
import { gunma } from "../support/presets";
import { createEntryService } from "../../src/stats/entry-service";
import { createTaskService } from "../../src/tasks/task-service";

/** A small seeded generator (mulberry32): the same "random" history on every run. */
function generator(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  };
  const some = <T>(items: readonly T[]): T[] => items.filter(() => next() < 0.3);
  return { next, pick, some };
}

const REGIONS = ["chuhoku", "seimo", "tomo"] as const;
const TOPICS = ["dv", "poverty", "work", "mental", "other"] as const;
const AGES = ["10s", "20s", "30s", "40s", "50s", "60plus", null] as const;
const AGENCIES = ["女性相談支援センター", "ハローワーク", "=社会福祉協議会"] as const;
const FOLLOW = ["visit", "accompany", "office", "phone"] as const;

/** "YYYY-MM-DD HH:MM" in Tokyo, `minutes` after `local`. */
function later(local: string, minutes: number): string {
  const t = new Date(jst(local).getTime() + minutes * 60_000 + 9 * 3600_000);
  return t.toISOString().slice(0, 16).replace("T", " ");
}

/**
 * Starts cluster where the counting is delicate: 31 March / 1 April (fiscal year), the last
 * and first hours of a Tokyo day (a UTC date differs), month ends; the rest spread over years.
 */
function startTime(r: ReturnType<typeof generator>): string {
  const day = r.pick([
    "2025-03-31",
    "2025-04-01",
    "2024-03-31",
    "2024-04-01",
    "2026-03-31",
    "2025-06-30",
    "2025-07-01",
    "2025-11-15",
    "2024-12-31",
  ]);
  const hour = r.pick([0, 0, 8, 9, 14, 23, 23]);
  const base = `${day} ${String(hour).padStart(2, "0")}:${String(Math.floor(r.next() * 60)).padStart(2, "0")}`;
  return r.next() < 0.4 ? base : later(base, Math.floor(r.next() * 400) * 24 * 60);
}

function lineSession(r: ReturnType<typeof generator>, person: string, cn: string): LineSession {
  const start = startTime(r);
  const coding = {
    person,
    start,
    region: r.next() < 0.1 ? null : r.pick(REGIONS),
    topics: r.some(TOPICS),
    ageBand: r.pick(AGES),
    referrals: r.some(AGENCIES),
    followUps: r.some(FOLLOW),
    risk: r.pick(["none", "low", "medium", "high"]),
    awareness: r.next() < 0.3 ? r.pick(["知っていた", "知らなかった"]) : undefined,
  };
  const kind = r.next();
  const waiting = later(start, Math.floor(r.next() * 20));
  const answered = later(waiting, Math.floor(r.next() * 90));
  if (kind < 0.45) return { ...coding, waiting, answered, counsellor: cn, herMessages: 2 };
  if (kind < 0.5) {
    // Reopened after its first answer: waitingSince holds the reopen time (no measured wait).
    return { ...coding, waiting: later(answered, 30), answered, counsellor: cn, status: "waiting" };
  }
  if (kind < 0.6) return { ...coding, waiting, status: "abandoned", endReason: "exit-word" };
  if (kind < 0.65) return { ...coding, waiting, status: "abandoned", endReason: "blocked" };
  if (kind < 0.7) return { ...coding, waiting, status: "closed" };
  if (kind < 0.75) return { ...coding, waiting, status: "waiting" };
  if (kind < 0.78) return { ...coding, waiting, status: "active", counsellor: cn };
  if (kind < 0.88) return { ...coding, herMessages: 0, status: "closed" }; // greeting
  if (kind < 0.93) return { ...coding, herMessages: 3, status: "bot" };
  return { ...coding, herMessages: 1, status: "closed", endReason: "blocked" };
}

function entry(r: ReturnType<typeof generator>, persons: string[], cn: string): Entry {
  const region = r.pick(REGIONS);
  const ref = r.next();
  const answer = ref >= 0.65 ? r.pick(["yes", "no", "unknown"] as const) : "unknown";
  return {
    channel: r.pick(["phone", "email", "visit", "outreach", "accompany"]),
    start: startTime(r),
    region,
    counsellor: cn,
    person: ref < 0.3 ? r.pick(persons) : undefined,
    caseRef: ref >= 0.3 && ref < 0.65 ? r.pick(["K-1", "K-2", "K-3"]) : undefined,
    firstContact: answer === "unknown" ? undefined : answer === "yes",
    topics: r.some(TOPICS),
    ageBand: r.pick(AGES),
    referrals: r.some(AGENCIES),
    followUps: r.some(FOLLOW),
    risk: r.pick(["none", "low", "high"]),
  };
}

/** Floats from the two paths may differ in the last bit (numeric vs float8 division). */
function normalised(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) =>
      typeof v === "number" && !Number.isInteger(v) ? Math.round(v * 1e9) / 1e9 : v,
    ),
  );
}

const PERIODS: PeriodInput[] = [
  { fiscalYear: 2023 },
  { fiscalYear: 2024 },
  { fiscalYear: 2025 },
  { month: "2025-03" },
  { month: "2025-04" },
  { from: "2025-03-31", to: "2025-04-01" },
  { from: "2023-01-01", to: "2027-12-31" },
];
const FILTERS: StatsFilter[] = [
  {},
  { region: "seimo" },
  { channel: "line" },
  { channel: "phone" },
  { topic: "dv" },
  { ageBand: "20s" },
  { region: "tomo", topic: "mental", channel: "line" },
];

/**
 * The fast path (facts kept by triggers) against a plain recount from conversation, message and
 * consultation_entry, on a seeded random history, for every section of the report and every
 * record of the export, for several periods and filters; then again after the records change.
 */
describe("statistics: the fact table against a plain recount", () => {
  let db: TestDatabase;
  let persons: string[] = [];
  const conversations: string[] = [];
  let entries: string[] = [];
  const r = generator(20261123);

  async function compareAll(): Promise<number> {
    let compared = 0;
    for (const input of PERIODS) {
      const period = periodOf(input);
      for (const filter of FILTERS) {
        const [fast] = await db.prisma.$queryRaw<{ report: unknown }[]>(
          reportSql(period, filter, true),
        );
        const [slow] = await db.prisma.$queryRaw<{ report: unknown }[]>(
          recountReportSql(period, filter, true),
        );
        const label = JSON.stringify({ input, filter });
        expect({ label, report: normalised(rawReportSchema.parse(fast?.report)) }).toEqual({
          label,
          report: normalised(rawReportSchema.parse(slow?.report)),
        });
        const fastRows = await db.prisma.$queryRaw<unknown[]>(recordsSql(period, filter));
        const slowRows = await db.prisma.$queryRaw<unknown[]>(recountRecordsSql(period, filter));
        expect({ label, rows: fastRows.map((x) => recordRowSchema.parse(x)) }).toEqual({
          label,
          rows: slowRows.map((x) => recordRowSchema.parse(x)),
        });
        compared += 1;
      }
    }
    return compared;
  }

  /** The facts as the triggers left them must be what stats_rebuild() writes from scratch. */
  async function factsMatchRebuild(): Promise<void> {
    const read = () => db.prisma.$queryRaw<unknown[]>`SELECT * FROM stats_fact ORDER BY id`;
    const kept = await read();
    await db.prisma.$executeRaw`SELECT stats_rebuild()`;
    expect(await read()).toEqual(kept);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    const h = statsHistory(db.prisma);
    const cns = await Promise.all(REGIONS.map((region) => h.counsellor(region)));
    persons = (await Promise.all(Array.from({ length: 40 }, () => h.person()))).map((p) => p.id);
    for (let i = 0; i < 260; i++) {
      conversations.push(await h.line(lineSession(r, r.pick(persons), r.pick(cns))));
    }
    for (let i = 0; i < 90; i++) entries.push(await h.entry(entry(r, persons, r.pick(cns))));
    // Entries deleted in the console (soft: the row stays) count nowhere.
    const deleted = entries.filter((_, i) => i % 9 === 4);
    await db.prisma.consultationEntry.updateMany({
      where: { id: { in: deleted } },
      data: { deletedAt: new Date() },
    });
    entries = entries.filter((id) => !deleted.includes(id));
  }, 120_000);

  afterAll(async () => {
    await db.drop();
  });

  it("gives every figure and record of the recount, for every period and filter", async () => {
    const facts = await db.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM stats_fact`;
    expect(Number(facts[0]?.n)).toBe(conversations.length + entries.length);
    // The history has every kind of case the counting distinguishes (else the comparison is weak).
    const [whole] = await db.prisma.$queryRaw<{ report: unknown }[]>(
      recountReportSql(periodOf({ from: "2023-01-01", to: "2027-12-31" }), {}, true),
    );
    const r = rawReportSchema.parse(whole?.report);
    expect(r.consultations).toBeGreaterThan(100);
    expect(r.byChannel.length).toBe(6);
    for (const n of [
      r.newPeople,
      r.returningPeople,
      r.unknownPeople,
      r.unanswered.greetings,
      r.unanswered.botOnly,
      r.unanswered.abandoned,
      r.unanswered.stillWaiting,
      r.unanswered.blocked,
      r.awareness.length,
    ]) {
      expect(n).toBeGreaterThan(0);
    }
    expect(r.waiting.measured).toBeLessThan(r.waiting.answered);
    expect(await compareAll()).toBe(PERIODS.length * FILTERS.length);
    await factsMatchRebuild();
  }, 120_000);

  it("follows the records when they change after the facts were written", async () => {
    const waiting = await db.prisma.conversation.findMany({
      where: { id: { in: conversations }, status: "waiting", firstResponseAt: null },
      take: 6,
    });
    expect(waiting.length).toBeGreaterThan(3);
    for (const [i, c] of waiting.entries()) {
      // Answered, transferred to another region, coded and closed by a counsellor.
      await db.prisma.conversation.update({
        where: { id: c.id },
        data: {
          status: "closed",
          firstResponseAt: new Date((c.waitingSince ?? c.startedAt).getTime() + i * 61_000),
          regionId: REGIONS[i % 3],
          topics: ["work"],
          closedAt: new Date(),
        },
      });
    }
    // A closed consultation reopened: back to the queue, the same session.
    const closed = await db.prisma.conversation.findFirst({
      where: { id: { in: conversations }, status: "closed", firstResponseAt: { not: null } },
    });
    if (!closed) throw new Error("no closed consultation in the history");
    await db.prisma.conversation.update({
      where: { id: closed.id },
      data: { status: "waiting", reopenedAt: new Date(), waitingSince: new Date() },
    });
    // A greeting-only session where she now writes: it becomes bot-only.
    const greeting = await db.prisma.conversation.findFirst({
      where: { id: { in: conversations }, waitingSince: null, messages: { none: {} } },
    });
    if (!greeting) throw new Error("no greeting in the history");
    await statsHistory(db.prisma).line({ person: greeting.personId, start: "2020-01-01 00:00" });
    await db.prisma.message.create({
      data: {
        conversationId: greeting.id,
        personId: greeting.personId,
        direction: "in",
        author: "person",
        kind: "text",
        textEnc: testSealer.seal("…"),
        sentAt: new Date(),
      },
    });
    // An earlier consultation of a person (she now is returning), then one that stops counting.
    const person = persons[0] ?? "";
    await statsHistory(db.prisma).line({
      person,
      start: "2023-05-01 10:00",
      waiting: "2023-05-01 10:01",
      answered: "2023-05-01 10:02",
      region: "seimo",
    });
    const first = await db.prisma.conversation.findFirst({
      where: { personId: persons[1], firstResponseAt: { not: null } },
      orderBy: { startedAt: "asc" },
    });
    if (first) {
      await db.prisma.conversation.update({
        where: { id: first.id },
        data: { firstResponseAt: null, status: "abandoned" },
      });
    }
    // Entries: one moved to another case number, one to a LINE person, one deleted.
    const [e1, e2, e3] = entries;
    if (!e1 || !e2 || !e3) throw new Error("entries");
    await db.prisma.consultationEntry.update({ where: { id: e1 }, data: { caseRef: "K-9" } });
    await db.prisma.consultationEntry.update({
      where: { id: e2 },
      data: { personId: persons[2] ?? null, startedAt: jst("2024-04-01 00:10") },
    });
    await db.prisma.consultationEntry.delete({ where: { id: e3 } });
    entries = entries.slice(3);
    // Corrected in the console: 新規 / 継続 / 不明 of entries without reference change.
    const anonymous = await db.prisma.consultationEntry.findMany({
      where: { id: { in: entries }, personId: null, caseRef: null },
      take: 3,
    });
    expect(anonymous.length).toBe(3);
    for (const [i, e] of anonymous.entries()) {
      await db.prisma.consultationEntry.update({
        where: { id: e.id },
        data: { firstContact: [true, false, null][i] ?? null, correctedAt: new Date() },
      });
    }
    // Soft-deleted: a LINE person's entry (her first consultation may move) and a case's.
    const soft = await Promise.all([
      db.prisma.consultationEntry.findFirstOrThrow({
        where: { id: { in: entries }, personId: { not: null } },
        orderBy: { startedAt: "asc" },
      }),
      db.prisma.consultationEntry.findFirstOrThrow({
        where: { id: { in: entries }, caseRef: { not: null } },
        orderBy: { startedAt: "asc" },
      }),
    ]);
    for (const e of soft) {
      await db.prisma.consultationEntry.update({
        where: { id: e.id },
        data: { deletedAt: new Date() },
      });
    }
    entries = entries.filter((id) => !soft.some((e) => e.id === id));
    // Age bands no fact had before (a flow or an entry may bring its own): they get a bit of
    // their own (stats_value), and a person with several bands counts once in each.
    await db.prisma.conversation.updateMany({
      where: { id: { in: conversations }, personId: persons[3] },
      data: { ageBand: "70plus" },
    });
    entries.push(
      await statsHistory(db.prisma).entry({
        channel: "visit",
        start: "2025-04-02 10:00",
        region: "tomo",
        counsellor: (await db.prisma.counsellor.findFirstOrThrow()).id,
        person: persons[3],
        ageBand: "teens",
      }),
    );
    const bands = await db.prisma.statsValue.findMany({ where: { dimension: "age_band" } });
    expect(bands.map((b) => b.value)).toEqual(expect.arrayContaining(["70plus", "teens"]));

    expect(await compareAll()).toBe(PERIODS.length * FILTERS.length);
    await factsMatchRebuild();
  }, 120_000);

  it("follows entries linked and unlinked in the console, and 訪問 and 同行 closed as done", async () => {
    const prisma = db.prisma;
    const admin = await prisma.counsellor.create({
      data: { loginName: "recount-admin", displayName: "管理者", passwordHash: "x", role: "admin" },
    });
    const user = { id: admin.id, role: "admin" as const, regionId: null };
    const entryService = createEntryService({ prisma, preset: gunma() });
    const taskService = createTaskService({ prisma });
    const pseudonymOf = async (id: string) =>
      (await prisma.person.findUniqueOrThrow({ where: { id } })).pseudonym;
    // Entries without reference linked: to a LINE person, and to a case number of their region.
    const loose = await prisma.consultationEntry.findMany({
      where: { id: { in: entries }, personId: null, caseRef: null },
      orderBy: { startedAt: "asc" },
      take: 2,
    });
    expect(loose.length).toBe(2);
    const [toPerson, toCase] = loose;
    if (!toPerson || !toCase) throw new Error("entries");
    await entryService.link(user, toPerson.id, {
      personPseudonym: await pseudonymOf(persons[5] ?? ""),
      reason: "she-said",
    });
    const known = await prisma.consultationEntry.findFirstOrThrow({
      where: { regionId: toCase.regionId, caseRef: { not: null }, deletedAt: null },
    });
    await entryService.link(user, toCase.id, { caseRef: known.caseRef ?? "", reason: "handover" });
    // Links undone: an entry of a LINE person and one of a case number become their own persons.
    const [ofPerson, ofCase] = await Promise.all([
      prisma.consultationEntry.findFirstOrThrow({
        where: { id: { in: entries, notIn: [toPerson.id] }, personId: { not: null } },
        orderBy: { startedAt: "desc" },
      }),
      prisma.consultationEntry.findFirstOrThrow({
        where: { id: { in: entries, notIn: [toCase.id] }, caseRef: { not: null } },
        orderBy: { startedAt: "desc" },
      }),
    ]);
    await entryService.unlink(user, ofPerson.id, "not-her");
    await entryService.unlink(user, ofCase.id, "linked-by-mistake");
    // A 同行 of a LINE person and a 訪問 after an entry without reference, closed as done: each
    // a consultation of its own on its channel; a 訪問 she declined records none.
    const accompany = await taskService.create(user, {
      kind: "accompany",
      dueOn: "2027-04-01",
      appointmentTime: "00:30",
      personPseudonym: await pseudonymOf(persons[6] ?? ""),
      regionId: "tomo",
    });
    const stillLoose = await prisma.consultationEntry.findFirstOrThrow({
      where: { id: { in: entries }, personId: null, caseRef: null, deletedAt: null },
    });
    const visit = await taskService.create(user, {
      kind: "visit",
      dueOn: "2027-03-31",
      appointmentTime: "23:50",
      entryId: stillLoose.id,
    });
    const declined = await taskService.create(user, {
      kind: "visit",
      dueOn: "2027-03-31",
      regionId: "seimo",
    });
    await taskService.close(user, accompany.id, "done");
    await taskService.close(user, visit.id, "done");
    await taskService.close(user, declined.id, "declined");
    const recorded = await prisma.consultationEntry.findMany({
      where: {
        channel: { in: ["accompany", "outreach"] },
        startedAt: { gte: jst("2027-03-31 00:00") },
      },
    });
    expect(recorded.length).toBe(2);
    entries.push(...recorded.map((e) => e.id));

    expect(await compareAll()).toBe(PERIODS.length * FILTERS.length);
    await factsMatchRebuild();
  }, 120_000);
});
