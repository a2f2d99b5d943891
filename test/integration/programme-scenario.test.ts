import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { handOff } from "../support/handoff";
import { latestConversationOf } from "../support/her-conversation";
import { gunmaOpenAroundTheClock } from "../support/presets";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { jst } from "../support/stats-history";

interface Item {
  type: "conversation" | "entry" | "task" | "referral";
  id: string;
  channel?: string;
  fromTaskId?: string | null;
  task?: { id: string; kind: string; entryId: string | null; outcome: string | null };
  referral?: { id: string; partner: { name: string }; consent: string; outcome: string };
}
interface Table {
  sheet: string;
  header: string[];
  rows: (string | number | null)[][];
  total: (string | number | null)[] | null;
}
interface Report {
  consultations: number;
  people: number;
  byChannel: { channel: string; consultations: number; people: number }[];
  tables: Table[];
}

/** The value of a table's row (by its first cell) in a column (by its heading). */
function cell(t: Table, row: string, column: string): string | number | null | undefined {
  const r = row === "合計" ? t.total : t.rows.find((x) => x[0] === row);
  return r?.[t.header.indexOf(column)];
}

/**
 * One woman through the whole programme (issue #18): she writes on LINE and a counsellor
 * answers; she calls the NPO, and the call is entered in her file; the counsellor refers her to
 * a partner from that call, with her consent and a day to check on it; she is accompanied
 * (同行) to the partner, which is recorded when done; the referral turns out connected. Her case
 * file shows every step, and the report counts each once: three consultations of one woman,
 * one 同行 planned and done, one referral connected.
 */
jest.setTimeout(120_000);
describe("one woman across LINE, a phone call, a 同行 and a referral", () => {
  let s: ServiceUnderTest;
  let clock = jst("2026-12-03 10:00");
  let west: ConsoleClient;
  let east: ConsoleClient;
  let sup: ConsoleClient;

  beforeAll(async () => {
    s = await startServiceWithSimulator({
      preset: gunmaOpenAroundTheClock(),
      simulator: { now: () => clock.getTime() },
      now: () => clock,
    });
    await account(s.db.prisma, "sc-west", "counsellor", "seimo");
    await account(s.db.prisma, "sc-east", "counsellor", "tomo");
    await account(s.db.prisma, "sc-sup", "supervisor", null);
    const signIn = (login: string) => ConsoleClient.signedIn(s.url, login, PASSWORD);
    [west, east, sup] = await Promise.all([signIn("sc-west"), signIn("sc-east"), signIn("sc-sup")]);
  }, 60_000);
  afterAll(async () => s.stop());

  it("keeps every step in her case file and counts each once in the report", async () => {
    // LINE: she is handed to 西毛 and a counsellor answers her.
    const her = s.sim.person();
    await handOff(her, "高崎");
    const { id: conversationId } = await latestConversationOf(s.db.prisma, her.userId);
    expect((await west.post(`/api/v1/conversations/${conversationId}/claim`)).status).toBe(200);
    const sent = await west.post(`/api/v1/conversations/${conversationId}/messages`, {
      text: "お話しくださってありがとうございます。相談員の西です。",
    });
    expect(sent.status).toBe(201);
    const view = (await west.get(`/api/v1/conversations/${conversationId}`)).json as unknown as {
      conversation: { pseudonym: string };
    };
    const pseudonym = view.conversation.pseudonym;

    // A week later she calls; the counsellor enters the call in her file.
    clock = jst("2026-12-10 11:00");
    const call = await west.post("/api/v1/stats/entries", {
      channel: "phone",
      regionId: "seimo",
      startedAt: jst("2026-12-10 10:30").toISOString(),
      durationMinutes: 30,
      topics: ["dv"],
      referrals: [],
      followUps: [],
      riskLevel: "none",
      personPseudonym: pseudonym,
    });
    expect(call.status).toBe(201);
    const callId = (call.json as unknown as { id: string }).id;

    // From the call: a referral to a partner, with her consent and a day to check on it.
    const partner = await s.db.prisma.partner.create({
      data: { name: "高崎市 女性相談窓口（例）", kind: "public", regions: ["seimo"], topics: [] },
    });
    const referral = await west.post(`/api/v1/stats/entries/${callId}/referrals`, {
      partnerId: partner.id,
      consent: "yes",
      followUpOn: "2026-12-20",
    });
    expect(referral.status).toBe(201);
    const referralId = (referral.json as unknown as { id: string; followUpTaskId: string }).id;
    const checkTaskId = (referral.json as unknown as { followUpTaskId: string }).followUpTaskId;

    // A 同行 to the partner, following the call, on the 15th at 14:00.
    const accompany = await west.post("/api/v1/tasks", {
      kind: "accompany",
      dueOn: "2026-12-15",
      appointmentTime: "14:00",
      partnerId: partner.id,
      entryId: callId,
      regionId: "seimo",
    });
    expect(accompany.status).toBe(201);
    const accompanyId = (accompany.json as unknown as { id: string }).id;
    clock = jst("2026-12-15 17:00");
    const closed = await west.post(`/api/v1/tasks/${accompanyId}/close`, { outcome: "done" });
    expect(closed.status).toBe(200);
    const doneEntryId = (closed.json as unknown as { doneEntryId: string }).doneEntryId;
    expect(doneEntryId).toEqual(expect.any(String));

    // On the day of the check: she is connected.
    clock = jst("2026-12-20 10:00");
    const outcome = await west.call("PATCH", `/api/v1/referrals/${referralId}`, {
      outcome: "connected",
    });
    expect(outcome.status).toBe(200);

    // Her case file: the LINE consultation, the call, the 同行 done and its entry, the referral
    // and the check that follows the call.
    const file = (await west.get(`/api/v1/casefiles/conversation/${conversationId}`))
      .json as unknown as { items: Item[] };
    const byId = new Map(file.items.map((i) => [i.id, i]));
    expect(byId.get(conversationId)?.type).toBe("conversation");
    expect(byId.get(callId)).toMatchObject({ type: "entry", channel: "phone" });
    expect(byId.get(doneEntryId)).toMatchObject({
      type: "entry",
      channel: "accompany",
      fromTaskId: accompanyId,
    });
    expect(byId.get(accompanyId)?.task).toMatchObject({ kind: "accompany", outcome: "done" });
    expect(byId.get(checkTaskId)?.task).toMatchObject({ kind: "call-back", entryId: callId });
    expect(byId.get(referralId)?.referral).toMatchObject({
      partner: { name: partner.name },
      consent: "yes",
      outcome: "connected",
    });
    expect(file.items).toHaveLength(6);
    // Another region's counsellor reaches nothing of her file.
    expect((await east.get(`/api/v1/casefiles/conversation/${conversationId}`)).status).toBe(404);
    expect((await east.get(`/api/v1/casefiles/person/${pseudonym}`)).status).toBe(404);

    // The report: three consultations (LINE, phone, 同行) of one woman; the 同行 planned and
    // done; the referral counted once, with her consent and its outcome.
    const report = (await sup.get("/api/v1/stats/report?fiscalYear=2026&region=seimo"))
      .json as unknown as Report;
    expect([report.consultations, report.people]).toEqual([3, 1]);
    const channel = (c: string) => report.byChannel.find((x) => x.channel === c);
    for (const c of ["line", "phone", "accompany"]) {
      expect(channel(c)).toMatchObject({ consultations: 1, people: 1 });
    }
    const table = (sheet: string) => {
      const t = report.tables.find((x) => x.sheet === sheet);
      if (!t) throw new Error(`no table ${sheet}`);
      return t;
    };
    const outreach = table("訪問・同行");
    expect(cell(outreach, "同行", "予定")).toBe(1);
    expect(cell(outreach, "同行", "実施した")).toBe(1);
    expect(cell(outreach, "合計", "未完了")).toBe(0);
    const records = table("つなぎ先の記録");
    expect(cell(records, partner.name, "件数")).toBe(1);
    expect(cell(records, partner.name, "同意あり")).toBe(1);
    expect(cell(records, partner.name, "つながった")).toBe(1);
    expect(cell(records, "合計", "件数")).toBe(1);
  });
});
