/**
 * Retention and her rights on real PostgreSQL: content past its period, or of a woman who asked
 * for erasure, is gone, while every figure and record of the statistics (fast path and plain
 * recount) stays exactly as it was; disclosure gives her conversations and entries, audited.
 */
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { verifyAuditChain } from "../../src/audit/audit-chain";
import type { PrismaClient } from "../../src/db/prisma-client";
import { RETENTION_DEFAULTS } from "../../src/flows/flow-schema";
import {
  createPersonRightsService,
  type RightsActor,
} from "../../src/privacy/person-rights-service";
import { createRetentionService, retentionDay } from "../../src/privacy/retention-service";
import { periodOf, type PeriodInput } from "../../src/stats/stats-period";
import { recordsSql, reportSql } from "../../src/stats/stats-queries";
import { rawReportSchema } from "../../src/stats/stats-schemas";
import type { StatsFilter } from "../../src/stats/stats-types";
import { jst, statsHistory } from "../support/stats-history";
import { recountRecordsSql, recountReportSql } from "../support/stats-recount";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { startConsoleOnClock, type ConsoleOnClock } from "../support/console-on-clock";
import { eventually } from "../support/eventually";
import { startServiceWithSimulator } from "../support/service-harness";
import { opened, testSealer } from "../support/sealed";
import { createTestDatabase, type TestDatabase } from "../support/test-env";

const SECRET = "夫に殴られた秘密の言葉";

const PERIODS: PeriodInput[] = [
  { fiscalYear: 2022 },
  { fiscalYear: 2023 },
  { fiscalYear: 2025 },
  { from: "2020-01-01", to: "2027-12-31" },
];
const FILTERS: StatsFilter[] = [{}, { region: "seimo" }, { channel: "line" }, { topic: "dv" }];

/** Every figure of the report and every record of the export, by both paths, for each period. */
async function statistics(prisma: PrismaClient): Promise<unknown[]> {
  const all: unknown[] = [];
  for (const input of PERIODS) {
    for (const filter of FILTERS) {
      const period = periodOf(input);
      for (const sql of [reportSql(period, filter, true), recountReportSql(period, filter, true)]) {
        const [row] = await prisma.$queryRaw<{ report: unknown }[]>(sql);
        all.push(rawReportSchema.parse(row?.report));
      }
      all.push(await prisma.$queryRaw<unknown[]>(recordsSql(period, filter)));
      all.push(await prisma.$queryRaw<unknown[]>(recountRecordsSql(period, filter)));
    }
  }
  const facts = await prisma.$queryRaw<unknown[]>`SELECT * FROM stats_fact ORDER BY id`;
  return [...all, facts];
}

/** Her content around one conversation: every kind the service keeps. */
async function content(
  prisma: PrismaClient,
  c: { id: string; personId: string; lineUserHash: string; at: Date; counsellorId: string },
) {
  const eventRow = await prisma.webhookEvent.create({
    data: {
      webhookEventId: randomUUID(),
      type: "message",
      mode: "active",
      isRedelivery: false,
      sourceKey: c.lineUserHash,
      eventAt: c.at,
      receivedAt: c.at,
      payloadEnc: Buffer.from(SECRET),
      status: "processed",
    },
  });
  const delivery = await prisma.outboundDelivery.create({
    data: {
      dedupeKey: randomUUID(),
      personId: c.personId,
      payloadEnc: testSealer.seal(JSON.stringify([{ type: "text", text: `返信：${SECRET}` }])),
      retryKey: randomUUID(),
      status: "sent",
      createdAt: c.at,
    },
  });
  await prisma.message.create({
    data: {
      conversationId: c.id,
      personId: c.personId,
      direction: "in",
      author: "person",
      kind: "text",
      textEnc: testSealer.seal(SECRET),
      replyToken: "reply-token-secret",
      markAsReadToken: "read-token-secret",
      webhookEventId: eventRow.id,
      sentAt: c.at,
    },
  });
  await prisma.message.create({
    data: {
      conversationId: c.id,
      personId: c.personId,
      direction: "out",
      author: "counsellor",
      kind: "text",
      textEnc: testSealer.seal(`返信：${SECRET}`),
      counsellorId: c.counsellorId,
      deliveryId: delivery.id,
      sentAt: new Date(c.at.getTime() + 60_000),
    },
  });
  const image = await prisma.message.create({
    data: {
      conversationId: c.id,
      personId: c.personId,
      direction: "in",
      author: "person",
      kind: "image",
      sentAt: new Date(c.at.getTime() + 120_000),
    },
  });
  await prisma.messageMedia.create({
    data: {
      messageId: image.id,
      contentType: "image/png",
      status: "stored",
      imageType: "image/png",
      size: 12,
      chunks: { create: { seq: 0, bytes: testSealer.sealBytes(Buffer.from(SECRET)) } },
    },
  });
  await prisma.conversationNote.create({
    data: {
      conversationId: c.id,
      counsellorId: c.counsellorId,
      textEnc: testSealer.seal(`メモ：${SECRET}`),
    },
  });
  await prisma.emergencyRecord.create({
    data: {
      conversationId: c.id,
      counsellorId: c.counsellorId,
      desire: true,
      plan: false,
      means: false,
      timeframe: false,
      decision: "no-call",
      calledBy: "相談員A",
      noteEnc: testSealer.seal(`緊急メモ：${SECRET}`),
    },
  });
}

/** Every place her words or tokens could be, as text: what is still readable. */
async function wordsLeft(prisma: PrismaClient, conversationIds: string[]): Promise<string[]> {
  const found: string[] = [];
  const messages = await prisma.message.findMany({
    where: { conversationId: { in: conversationIds } },
    include: { media: { include: { chunks: true } } },
  });
  for (const m of messages) {
    if (m.textEnc) found.push(`message ${opened(m.textEnc)}`);
    if (m.replyToken || m.markAsReadToken) found.push("message token");
    if (m.media?.chunks.length) found.push("media chunk");
  }
  const notes = await prisma.conversationNote.findMany({
    where: { conversationId: { in: conversationIds } },
  });
  found.push(...notes.filter((n) => n.textEnc !== null).map((n) => `note ${opened(n.textEnc)}`));
  const emergencies = await prisma.emergencyRecord.findMany({
    where: { conversationId: { in: conversationIds } },
  });
  found.push(...emergencies.filter((e) => e.noteEnc || e.calledBy).map(() => "emergency note"));
  const deliveryIds = messages.flatMap((m) => (m.deliveryId ? [m.deliveryId] : []));
  const deliveries = await prisma.outboundDelivery.findMany({
    where: { id: { in: deliveryIds } },
  });
  found.push(...deliveries.filter((d) => d.payloadEnc !== null).map(() => "delivery payload"));
  const eventIds = messages.flatMap((m) => (m.webhookEventId ? [m.webhookEventId] : []));
  const events = await prisma.webhookEvent.findMany({ where: { id: { in: eventIds } } });
  found.push(
    ...events.filter((e) => e.payloadEnc !== null || e.sourceKey !== null).map(() => "raw event"),
  );
  return found;
}

const REGIONS = ["chuhoku", "seimo", "tomo"] as const;

describe("retention and her rights", () => {
  let db: TestDatabase;
  let counsellor: string;
  const h = () => statsHistory(db.prisma);

  /** A history of every kind of session over years, with content in each conversation. */
  async function history() {
    const cn = await h().counsellor("seimo");
    counsellor = cn;
    const made: { id: string; personId: string; closedAt: Date | null }[] = [];
    const persons = await Promise.all(Array.from({ length: 8 }, () => h().person()));
    const starts = ["2021-05-10 09:00", "2022-07-01 23:30", "2023-03-31 08:00", "2025-04-01 00:10"];
    let i = 0;
    for (const start of starts) {
      for (const person of persons) {
        i += 1;
        const answered = i % 3 !== 0;
        const id = await h().line({
          person: person.id,
          start,
          waiting: start,
          answered: answered ? start : undefined,
          counsellor: answered ? cn : undefined,
          region: REGIONS[i % 3],
          topics: i % 2 ? ["dv"] : ["work", "mental"],
          ageBand: i % 4 ? "20s" : null,
          referrals: i % 5 ? [] : ["ハローワーク"],
          followUps: i % 2 ? ["visit"] : [],
          risk: i % 3 ? "low" : "high",
          awareness: i % 4 ? undefined : "知らなかった",
          herMessages: i % 7 ? 1 : 0,
        });
        const row = await db.prisma.conversation.findUniqueOrThrow({
          where: { id },
          include: { person: true },
        });
        await content(db.prisma, {
          id,
          personId: row.personId,
          lineUserHash: row.person.lineUserHash,
          at: row.startedAt,
          counsellorId: cn,
        });
        made.push({ id, personId: row.personId, closedAt: row.closedAt });
      }
    }
    for (const [k, person] of persons.entries()) {
      await h().entry({
        channel: k % 2 ? "phone" : "visit",
        start: starts[k % starts.length] ?? "2023-01-01 10:00",
        region: REGIONS[k % 3] ?? "seimo",
        counsellor: cn,
        person: k % 3 ? person.id : undefined,
        caseRef: k % 3 ? undefined : "K-1",
        topics: ["poverty"],
      });
    }
    return { made, persons };
  }

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it("erases content past its period in batches, twice safely, and leaves every figure unchanged", async () => {
    // An audit row of June 2021, first in the chain: past the audit's 5 years on 2026-12-01.
    await db.prisma.auditEntry.create({
      data: { action: "view", at: jst("2021-06-15 10:00"), detail: {} },
    });
    const { made } = await history();
    // Sign-in rows: one session ended long ago, one in use now.
    for (const lastSeenAt of [jst("2024-01-01 10:00"), jst("2026-11-30 10:00")]) {
      await db.prisma.consoleSession.create({
        data: {
          tokenHash: randomBytes(16).toString("hex"),
          csrfToken: "x",
          counsellorId: counsellor,
          createdAt: lastSeenAt,
          lastSeenAt,
          expiresAt: new Date(lastSeenAt.getTime() + 10 * 3600_000),
        },
      });
    }
    const before = await statistics(db.prisma);

    // 2026-12-01 04:00 in Tokyo: the run of 2026-12-01. Transcripts 3 years: conversations
    // ended before 2023-12-01 lose theirs; media 1 year; raw events 30 days; sessions 90 days.
    const day = retentionDay(jst("2026-12-01 04:00"));
    expect(day).toBe("2026-12-01");
    expect(retentionDay(jst("2026-12-01 02:59"))).toBe("2026-11-30");
    const retention = createRetentionService({
      prisma: db.prisma,
      periods: RETENTION_DEFAULTS,
      batch: 3,
    });
    const first = await retention.run(day);
    const cutoff = jst("2023-12-01 00:00");
    const old = made.filter((c) => c.closedAt !== null && c.closedAt < cutoff).map((c) => c.id);
    const recent = made.filter((c) => !old.includes(c.id)).map((c) => c.id);
    expect(old.length).toBeGreaterThan(3);
    expect(recent.length).toBeGreaterThan(3);
    expect(first.transcripts).toBe(old.length);
    expect(first.media).toBe(made.length); // every file is over a year old
    expect(first.signIns).toBe(1);
    // The audit goes by whole months: June 2021's row, and the chain still verifies.
    expect(first.auditRows).toBe(1);
    expect((await verifyAuditChain(db.prisma)).broken).toBeNull();

    expect(await wordsLeft(db.prisma, old)).toEqual([]);
    // The recent conversations keep their transcript (texts, notes); only files and raw
    // events, whose periods are shorter, are gone from them.
    const kept = await wordsLeft(db.prisma, recent);
    expect(kept.filter((w) => w.startsWith("message 夫に")).length).toBe(recent.length);
    expect(kept.filter((w) => w.startsWith("note ")).length).toBe(recent.length);
    expect(kept).not.toContain("media chunk");
    expect(kept).not.toContain("raw event");
    expect(await db.prisma.consoleSession.count()).toBe(1);
    const erased = await db.prisma.conversation.count({
      where: { id: { in: old }, contentErasedAt: { not: null } },
    });
    expect(erased).toBe(old.length);

    // The coded rows are all there: the same report, records and facts, by both paths.
    expect(await statistics(db.prisma)).toEqual(before);
    expect(await db.prisma.message.count()).toBeGreaterThan(made.length * 3);

    // Run again (a second worker, a retry): nothing more to do, nothing changes.
    expect(await retention.run(day)).toEqual({
      transcripts: 0,
      media: 0,
      deliveries: 0,
      rawEvents: 0,
      signIns: 0,
      auditRows: 0,
    });
    expect(await statistics(db.prisma)).toEqual(before);
    await db.prisma.$executeRaw`SELECT stats_rebuild()`;
    expect(await statistics(db.prisma)).toEqual(before);
  }, 120_000);

  it("erases one woman on request: her content gone, her counts kept, audited, others untouched", async () => {
    const { made, persons } = await history();
    // persons[1] has a manual entry too (a phone call): it must stay counted as hers.
    const her = persons[1];
    const other = persons[2];
    if (!her || !other) throw new Error("no persons");
    const hers = made.filter((c) => c.personId === her.id).map((c) => c.id);
    const theirs = made.filter((c) => c.personId === other.id).map((c) => c.id);
    const herHash = (await db.prisma.person.findUniqueOrThrow({ where: { id: her.id } }))
      .lineUserHash;
    const before = await statistics(db.prisma);
    const rights = createPersonRightsService({ prisma: db.prisma });
    const admin: RightsActor = { id: null, role: "admin", regionId: null, via: "admin-command" };

    // An open conversation of hers: refused until it is closed.
    const open = await h().line({ person: her.id, start: "2026-11-30 10:00", status: "waiting" });
    await expect(rights.erase(admin, her.pseudonym, her.pseudonym)).rejects.toMatchObject({
      code: "PERSON_HAS_OPEN_CONVERSATION",
      status: 409,
    });
    await db.prisma.conversation.update({
      where: { id: open },
      data: { status: "abandoned", closedAt: jst("2026-11-30 11:00") },
    });
    const statsWithOpenClosed = await statistics(db.prisma);
    await expect(rights.erase(admin, her.pseudonym, "別の人")).rejects.toMatchObject({
      code: "CONFIRMATION_MISMATCH",
    });

    const erased = await rights.erase(admin, her.pseudonym, her.pseudonym);
    expect(erased).toMatchObject({ conversations: hers.length + 1, files: hers.length });
    expect(await wordsLeft(db.prisma, [...hers, open])).toEqual([]);
    const person = await db.prisma.person.findUniqueOrThrow({ where: { id: her.id } });
    expect(person.lineUserIdEnc).toBeNull();
    expect(person.lineUserHash).not.toBe(herHash);
    expect(person.pseudonym).toMatch(/^削除済み-[2-9A-HJ-NP-Z]{6}$/);
    expect(person.erasedAt).not.toBeNull();
    expect(await db.prisma.webhookEvent.count({ where: { sourceKey: herHash } })).toBe(0);
    // Her sessions and entries are still counted, as the same (now anonymous) person.
    expect(await statistics(db.prisma)).toEqual(statsWithOpenClosed);
    expect(statsWithOpenClosed).not.toEqual(before); // the extra session counts, as it should
    // Another woman keeps everything.
    const left = await wordsLeft(db.prisma, theirs);
    const each = (what: string) => left.filter((w) => w === what).length;
    for (const what of [
      `message ${SECRET}`,
      "message token",
      "media chunk",
      `note メモ：${SECRET}`,
      "emergency note",
      "delivery payload",
      "raw event",
    ]) {
      expect({ what, count: each(what) }).toEqual({ what, count: theirs.length });
    }
    // Audited with ids and counts, never content.
    const audit = await db.prisma.auditEntry.findFirstOrThrow({
      where: { action: "erase-person" },
    });
    expect(audit.detail).toMatchObject({ personId: her.id, via: "admin-command" });
    expect(JSON.stringify(audit.detail)).not.toContain("秘密");
    // Her old pseudonym finds nobody now; the new one says she was erased already.
    await expect(rights.find(admin, her.pseudonym)).rejects.toMatchObject({
      code: "PERSON_NOT_FOUND",
      status: 404,
    });
    await expect(rights.erase(admin, person.pseudonym, person.pseudonym)).rejects.toMatchObject({
      code: "ALREADY_ERASED",
    });
  }, 120_000);

  it("discloses her conversations and entries, and keeps regional admins to women of their region", async () => {
    const cn = await h().counsellor("seimo");
    const her = await h().person();
    const id = await h().line({
      person: her.id,
      start: "2025-06-01 10:00",
      waiting: "2025-06-01 10:01",
      answered: "2025-06-01 10:05",
      counsellor: cn,
      region: "seimo",
      topics: ["dv"],
    });
    const row = await db.prisma.person.findUniqueOrThrow({ where: { id: her.id } });
    await content(db.prisma, {
      id,
      personId: her.id,
      lineUserHash: row.lineUserHash,
      at: jst("2025-06-01 10:02"),
      counsellorId: cn,
    });
    await h().entry({
      channel: "phone",
      start: "2025-06-03 14:00",
      region: "seimo",
      counsellor: cn,
      person: her.id,
    });
    const rights = createPersonRightsService({ prisma: db.prisma, sealer: testSealer });
    const seimoAdmin = { id: cn, role: "admin", regionId: "seimo", via: "console" } as const;
    const record = await rights.disclose(seimoAdmin, her.pseudonym, "json");
    expect(record.conversations).toHaveLength(1);
    expect(record.conversations[0]?.messages.map((m) => [m.direction, m.text])).toEqual([
      ["in", "…"],
      ["in", SECRET],
      ["out", `返信：${SECRET}`],
      ["in", null],
    ]);
    expect(record.entries.map((e) => e.channel)).toEqual(["phone"]);
    const audit = await db.prisma.auditEntry.findFirstOrThrow({
      where: { action: "disclose-person" },
    });
    expect(audit).toMatchObject({ counsellorId: cn });
    expect(audit.detail).toMatchObject({ personId: her.id, format: "json", conversations: 1 });

    // Another region's admin does not find her; a counsellor is no admin.
    const tomoAdmin = { id: cn, role: "admin", regionId: "tomo", via: "console" } as const;
    await expect(rights.disclose(tomoAdmin, her.pseudonym, "json")).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      rights.erase({ ...seimoAdmin, role: "counsellor" }, her.pseudonym, her.pseudonym),
    ).rejects.toMatchObject({ status: 403, code: "FORBIDDEN" });
    // Once she has a record in another region too, only a global admin acts for her.
    await h().entry({
      channel: "visit",
      start: "2025-07-01 10:00",
      region: "tomo",
      counsellor: cn,
      person: her.id,
    });
    await expect(rights.erase(seimoAdmin, her.pseudonym, her.pseudonym)).rejects.toMatchObject({
      status: 403,
      code: "PERSON_OUTSIDE_REGION",
    });
    expect(await db.prisma.auditEntry.count({ where: { action: "erase-person" } })).toBe(0);
  }, 60_000);
});

describe("her rights through the console API", () => {
  let app: ConsoleOnClock;

  async function signedIn(loginName: string) {
    const res = await fetch(`${app.url}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ loginName, password: PASSWORD }),
    });
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return (method: string, path: string, body?: unknown) =>
      fetch(`${app.url}${path}`, {
        method,
        headers: {
          cookie,
          "x-csrf-token": csrfToken,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
  }

  beforeAll(async () => {
    app = await startConsoleOnClock(() => Date.now());
    await account(app.db.prisma, "rights-admin", "admin", null);
    await account(app.db.prisma, "rights-counsellor", "counsellor", "seimo");
  });
  afterAll(async () => {
    await app.stop();
  });

  it("gives an admin her disclosure as JSON and as an escaped page without script, then erases her", async () => {
    const h = statsHistory(app.db.prisma);
    const cn = await h.counsellor("seimo");
    const her = await h.person();
    const id = await h.line({
      person: her.id,
      start: "2025-06-01 10:00",
      waiting: "2025-06-01 10:01",
      answered: "2025-06-01 10:05",
      counsellor: cn,
      region: "seimo",
      topics: ["dv"],
    });
    await app.db.prisma.message.create({
      data: {
        conversationId: id,
        personId: her.id,
        direction: "in",
        author: "person",
        kind: "text",
        textEnc: testSealer.seal(`<script>alert(1)</script>${SECRET}`),
        sentAt: jst("2025-06-01 10:03"),
      },
    });
    const path = `/api/v1/people/${encodeURIComponent(her.pseudonym)}`;
    const counsellor = await signedIn("rights-counsellor");
    for (const [method, p] of [
      ["GET", path],
      ["GET", `${path}/disclosure`],
      ["GET", `${path}/disclosure.html`],
      ["POST", `${path}/erase`],
    ] as const) {
      const res = await counsellor(method, p, method === "POST" ? { confirm: "x" } : undefined);
      expect({ p, status: res.status }).toEqual({ p, status: 403 });
    }

    const admin = await signedIn("rights-admin");
    const found = await admin("GET", path);
    expect(await found.json()).toMatchObject({ conversations: 1, openConversations: 0 });
    const json = (await (await admin("GET", `${path}/disclosure`)).json()) as {
      conversations: { topics: { label: string }[]; messages: { text: string | null }[] }[];
    };
    expect(json.conversations[0]?.topics[0]?.label).toBe("パートナー・家族（DV）");
    expect(json.conversations[0]?.messages.map((m) => m.text)).toContain(
      `<script>alert(1)</script>${SECRET}`,
    );

    const page = await admin("GET", `${path}/disclosure.html`);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    const html = await page.text();
    expect(html).toContain("保有個人データの開示");
    expect(html).toContain(`&lt;script&gt;alert(1)&lt;/script&gt;${SECRET}`);
    expect(html).not.toMatch(/<script/i);

    const wrong = await admin("POST", `${path}/erase`, { confirm: "別の人" });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ code: "CONFIRMATION_MISMATCH" });
    const erased = await admin("POST", `${path}/erase`, { confirm: her.pseudonym });
    expect(erased.status).toBe(200);
    const view = await admin("GET", `/api/v1/conversations/${id}`);
    const shown = (await view.json()) as {
      conversation: { contentErased: string | null; pseudonym: string };
      messages: { text: string | null; erased: boolean }[];
    };
    expect(shown.conversation.contentErased).toBe("request");
    expect(shown.conversation.pseudonym).toMatch(/^削除済み-/);
    expect(shown.messages.every((m) => m.text === null && m.erased)).toBe(true);
    expect(await app.db.prisma.auditEntry.count({ where: { action: "disclose-person" } })).toBe(2);
  }, 60_000);
});

describe("content erased by retention, in the console", () => {
  let app: ConsoleOnClock;
  beforeAll(async () => {
    app = await startConsoleOnClock(() => Date.now());
    await account(app.db.prisma, "retention-admin", "admin", null);
  });
  afterAll(async () => {
    await app.stop();
  });

  it("shows a conversation past its period as erased by retention, its note too, not as an error", async () => {
    const prisma = app.db.prisma;
    const h = statsHistory(prisma);
    const cn = await h.counsellor("seimo");
    const her = await h.person();
    const old = await h.line({
      person: her.id,
      start: "2021-06-01 10:00",
      waiting: "2021-06-01 10:01",
      answered: "2021-06-01 10:05",
      counsellor: cn,
      region: "seimo",
    });
    await prisma.conversationNote.create({
      data: { conversationId: old, counsellorId: cn, textEnc: testSealer.seal(`メモ：${SECRET}`) },
    });
    await createRetentionService({ prisma, periods: RETENTION_DEFAULTS }).run("2026-12-01");
    const admin = await ConsoleClient.signedIn(app.url, "retention-admin", PASSWORD);
    const view = await admin.call("GET", `/api/v1/conversations/${old}`);
    expect(view.status).toBe(200);
    const shown = view.json as unknown as {
      conversation: { contentErased: string | null; topics: string[] };
      messages: { text: string | null; erased: boolean }[];
      notes: { text: string | null }[];
    };
    expect(shown.conversation.contentErased).toBe("retention");
    expect(shown.messages).toEqual([expect.objectContaining({ text: null, erased: true })]);
    expect(shown.notes).toEqual([expect.objectContaining({ text: null })]);
  }, 60_000);
});

describe("the daily retention job in the running service", () => {
  it("is written by the worker's sweep under the day's id and run by the worker: old content goes", async () => {
    const s = await startServiceWithSimulator({ worker: false });
    try {
      const h = statsHistory(s.db.prisma);
      const cn = await h.counsellor("seimo");
      const her = await h.person();
      const old = await h.line({
        person: her.id,
        start: "2021-06-01 10:00",
        waiting: "2021-06-01 10:01",
        answered: "2021-06-01 10:05",
        counsellor: cn,
        region: "seimo",
      });
      const key = `retention-${retentionDay(new Date())}`;
      expect(await s.db.prisma.jobOutbox.count({ where: { key } })).toBe(0);
      await s.startWorker();
      await eventually(
        () => s.db.prisma.jobOutbox.findUnique({ where: { key } }),
        (row) => row?.state === "done",
        60_000,
      );
      const messages = await s.db.prisma.message.findMany({ where: { conversationId: old } });
      expect(messages.map((m) => m.textEnc)).toEqual([null]);
      const conversation = await s.db.prisma.conversation.findUniqueOrThrow({ where: { id: old } });
      expect(conversation.contentErasedAt).not.toBeNull();
    } finally {
      await s.stop();
    }
  }, 120_000);
});

describe("npm run admin -- erase-person", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  const adminCommand = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", "src/main/admin.ts", ...args],
        { cwd: path.resolve(__dirname, "../.."), env: { ...process.env, DATABASE_URL: db.url } },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it("erases her only with --confirm, prints what went, and audits it as the command line", async () => {
    const h = statsHistory(db.prisma);
    const her = await h.person();
    await h.line({ person: her.id, start: "2025-06-01 10:00", region: "seimo" });
    const unconfirmed = await adminCommand("erase-person", her.pseudonym);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stdout).toContain("Nothing erased: add --confirm");
    const kept = await db.prisma.person.findUniqueOrThrow({ where: { id: her.id } });
    expect(kept.erasedAt).toBeNull();
    expect(await db.prisma.message.count({ where: { personId: her.id, textEnc: null } })).toBe(0);

    const nobody = await adminCommand("erase-person", "ナイヒト-000000", "--confirm");
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain("No person with this pseudonym");

    const run = await adminCommand("erase-person", her.pseudonym, "--confirm");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `Erased the content of ${her.pseudonym}: 1 conversation(s), 1 message(s)`,
    );
    const erased = await db.prisma.person.findUniqueOrThrow({ where: { id: her.id } });
    expect(erased.erasedAt).not.toBeNull();
    expect(erased.lineUserIdEnc).toBeNull();
    expect(
      await db.prisma.message.count({ where: { personId: her.id, textEnc: { not: null } } }),
    ).toBe(0);
    const audit = await db.prisma.auditEntry.findFirstOrThrow({
      where: { action: "erase-person" },
    });
    expect(audit.counsellorId).toBeNull();
    expect(audit.detail).toMatchObject({ personId: her.id, via: "admin-command", messages: 1 });
  }, 90_000);
});
