import { randomBytes } from "node:crypto";
import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { silentTurn } from "../support/conversation-driver";
import { eventually } from "../support/eventually";
import { handOff } from "../support/handoff";
import { latestConversationOf } from "../support/her-conversation";
import { gunmaOpenAroundTheClock } from "../support/presets";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  randomBytes(200),
]);

interface AuditView {
  action: string;
  counsellorName: string | null;
  conversationId: string | null;
  detail: Record<string, unknown>;
  subjectName: string | null;
}

/**
 * What the audit log keeps of sign-ins, files opened, exports, acknowledgements and account
 * changes, and what it never keeps: a name typed at sign-in, a note's or a referral's words.
 */
describe("the audit log records who did what, never free text", () => {
  let s: ServiceUnderTest;
  let admin: ConsoleClient;
  let sup: ConsoleClient;

  beforeAll(async () => {
    s = await startServiceWithSimulator({ preset: gunmaOpenAroundTheClock() });
    await account(s.db.prisma, "admin", "admin", null);
    await account(s.db.prisma, "sup", "supervisor", null);
    await account(s.db.prisma, "west", "counsellor", "seimo");
    await account(s.db.prisma, "west2", "counsellor", "seimo");
    admin = await ConsoleClient.signedIn(s.url, "admin", PASSWORD);
    sup = await ConsoleClient.signedIn(s.url, "sup", PASSWORD);
  }, 60_000);
  afterAll(async () => s.stop());

  const idOf = async (login: string) =>
    (await s.db.prisma.counsellor.findUniqueOrThrow({ where: { loginName: login } })).id;
  const rowsOf = (action: string) =>
    s.db.prisma.auditEntry.findMany({ where: { action }, orderBy: { id: "asc" } });
  /** Every column of every audit row, as text. */
  const everything = async () =>
    (
      await s.db.prisma.$queryRaw<{ all: string | null }[]>`
        SELECT string_agg(a::text, E'\n') AS "all" FROM audit_entry a`
    )[0]?.all ?? "";
  const auditView = async () =>
    (await admin.get("/api/v1/audit?limit=500")).json as unknown as AuditView[];

  it("keeps each sign-in and sign-out, and each failure with the account and a coarse reason", async () => {
    const westId = await idOf("west");
    const west = await ConsoleClient.signedIn(s.url, "west", PASSWORD);
    const [signIn] = (await rowsOf("sign-in")).filter((r) => r.counsellorId === westId);
    expect(signIn?.detail).toEqual({
      sessionId: expect.any(String) as unknown,
      secondFactor: null,
    });

    const wrong = new ConsoleClient(s.url);
    const typed = { loginName: "west", password: "not-her-password" };
    expect((await wrong.post("/api/v1/session", typed)).status).toBe(401);
    const unknown = { loginName: "tanaka.hanako", password: "whatever-she-typed" };
    expect((await wrong.post("/api/v1/session", unknown)).status).toBe(401);
    const failures = await rowsOf("sign-in-failed");
    expect(failures.map((r) => [r.counsellorId, r.detail])).toEqual([
      [westId, { step: "password", reason: "wrong-password" }],
      [null, { step: "password", reason: "unknown-name" }],
    ]);
    // Neither the name she typed nor any password is kept.
    const log = await everything();
    for (const word of ["tanaka.hanako", "whatever-she-typed", "not-her-password"]) {
      expect(log).not.toContain(word);
    }

    expect((await west.call("DELETE", "/api/v1/session")).status).toBe(204);
    const [signOut] = await rowsOf("sign-out");
    expect(signOut).toMatchObject({
      counsellorId: westId,
      detail: { sessionId: (signIn?.detail as { sessionId: string }).sessionId },
    });

    // The admin reads them in the console, the account named there.
    const shown = (await auditView()).find(
      (a) => a.action === "sign-in-failed" && a.detail.reason === "wrong-password",
    );
    expect(shown).toMatchObject({ subjectName: null, counsellorName: "相談員west" });
    // A row about an account names it by its id; the console shows who that is.
    expect((await admin.post(`/api/v1/accounts/${westId}/unlock`)).status).toBe(204);
    const unlocked = (await auditView()).find((a) => a.action === "unlock-account");
    expect(unlocked).toMatchObject({
      detail: { counsellorId: westId },
      subjectName: "相談員west（west）",
    });
  }, 60_000);

  it("keeps who opened a file she sent, and which", async () => {
    const her = s.sim.person();
    await silentTurn(her, (p) => p.follow());
    let lineMessageId = "";
    await silentTurn(her, async (p) => {
      const sent = await p.sendImage(PNG, "image/png");
      lineMessageId = sent.messageId ?? "";
      return sent;
    });
    const message = await s.db.prisma.message.findUniqueOrThrow({ where: { lineMessageId } });
    await eventually(
      () => s.db.prisma.messageMedia.findUnique({ where: { messageId: message.id } }),
      (m) => m?.status === "stored",
    );
    expect(await rowsOf("media-view")).toEqual([]);
    const res = await sup.raw(`/api/v1/messages/${message.id}/content`);
    expect(res.status).toBe(200);
    expect(await rowsOf("media-view")).toEqual([
      expect.objectContaining({
        counsellorId: await idOf("sup"),
        conversationId: message.conversationId,
        detail: { messageId: message.id, download: false },
      }),
    ]);
  }, 60_000);

  it("keeps each statistics export: which file, which period and filters, how many records", async () => {
    const records = await sup.raw("/api/v1/stats/records.csv?fiscalYear=2026&region=seimo");
    expect(records.status).toBe(200);
    const lines = (await records.text()).trim().split("\r\n").length;
    expect((await sup.raw("/api/v1/stats/report.csv?month=2026-05")).status).toBe(200);
    const exports = await rowsOf("export-csv");
    expect(exports.map((r) => [r.counsellorId, r.detail])).toEqual([
      [
        await idOf("sup"),
        { file: "records-csv", fiscalYear: 2026, regionId: "seimo", rows: lines - 1 },
      ],
      [await idOf("sup"), { file: "report-csv", month: "2026-05" }],
    ]);
  }, 60_000);

  it("keeps an alert's acknowledgement once, and a display name change without the name", async () => {
    const her = s.sim.person();
    await silentTurn(her, (p) => p.follow());
    const c = await latestConversationOf(s.db.prisma, her.userId);
    const alert = await s.db.prisma.supervisorAlert.create({
      data: { conversationId: c.id, regionId: null, kind: "emergency" },
    });
    expect((await sup.post(`/api/v1/alerts/${alert.id}/ack`)).status).toBe(204);
    expect((await sup.post(`/api/v1/alerts/${alert.id}/ack`)).status).toBe(204);
    expect(await rowsOf("alert-ack")).toEqual([
      expect.objectContaining({
        counsellorId: await idOf("sup"),
        conversationId: c.id,
        detail: { alertId: alert.id, kind: "emergency" },
      }),
    ]);

    expect((await sup.call("PATCH", "/api/v1/me", { displayName: "みどり" })).status).toBe(200);
    expect(await rowsOf("change-display-name")).toEqual([
      expect.objectContaining({ counsellorId: await idOf("sup"), detail: {} }),
    ]);
    expect(await everything()).not.toContain("みどり");
  }, 60_000);

  it("keeps a transfer's and a closing's codes, never the note's or the referral's words", async () => {
    const her: SimulatedPerson = s.sim.person();
    await handOff(her, "高崎");
    const c = await latestConversationOf(s.db.prisma, her.userId);
    const west = await ConsoleClient.signedIn(s.url, "west", PASSWORD);
    const west2 = await ConsoleClient.signedIn(s.url, "west2", PASSWORD);
    expect((await west.post(`/api/v1/conversations/${c.id}/claim`)).status).toBe(200);
    const note = "夫が夜勤の時間なら話せるとのこと";
    const moved = await west.post(`/api/v1/conversations/${c.id}/transfer`, {
      toCounsellorId: await idOf("west2"),
      note,
    });
    expect(moved.status).toBe(200);
    const referral = "高崎市役所の佐藤さんに同行をお願いした";
    const closed = await west2.post(`/api/v1/conversations/${c.id}/close`, {
      topics: ["poverty"],
      referrals: [referral],
      followUps: ["accompany"],
      riskLevel: "low",
    });
    expect(closed.status).toBe(200);
    const rows = await s.db.prisma.auditEntry.findMany({ where: { conversationId: c.id } });
    expect(rows.find((r) => r.action === "transfer")?.detail).toEqual({
      from: "active",
      to: "active",
      toCounsellorId: await idOf("west2"),
    });
    expect(rows.find((r) => r.action === "close")?.detail).toEqual({
      from: "active",
      to: "closed",
      topics: ["poverty"],
      followUps: ["accompany"],
      riskLevel: "low",
      referralCount: 1,
      durationMinutes: 0,
    });
    const log = await everything();
    expect(log).not.toContain(note);
    expect(log).not.toContain(referral);
  }, 120_000);
});
