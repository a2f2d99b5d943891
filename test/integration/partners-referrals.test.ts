import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { handOff } from "../support/handoff";
import { latestConversationOf } from "../support/her-conversation";
import { gunmaOpenAroundTheClock } from "../support/presets";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { jst } from "../support/stats-history";

interface Partner {
  id: string;
  name: string;
  kind: string;
  regions: string[];
  topics: string[];
  phone?: string;
  toConfirm: boolean;
  archived: boolean;
  editable: boolean;
}

interface Referral {
  id: string;
  conversationId: string | null;
  entryId: string | null;
  partner: { id: string; name: string; archived: boolean };
  consent: string;
  outcome: string;
  followUpOn: string | null;
  followUpTaskId: string | null;
}

interface View {
  referralCards: { id: string; name: string; contactText: string | null; toConfirm: boolean }[];
  referralRecords: Referral[];
}

interface Table {
  sheet: string;
  header: string[];
  rows: (string | number | null)[][];
  total: (string | number | null)[] | null;
}

const NEW_PARTNER = {
  name: "高崎市女性相談窓口（テスト）",
  kind: "public",
  regions: ["seimo"],
  topics: ["dv", "poverty"],
  phone: "027-000-0000",
  hours: "平日 8:30〜17:15",
  address: "高崎市高松町35-1",
  howToRefer: "本人から電話。相談員の紹介と伝えてよい",
  toConfirm: true,
};

/**
 * The partner directory kept by admins in the console, referral records (her consent, the
 * outcome, a follow-up that lands in the task list) and what the report counts of them (issue
 * #18 point 2), through the API on real PostgreSQL, Redis and BullMQ, with LINE simulated.
 */
jest.setTimeout(120_000);
describe("the partner directory and referral records", () => {
  let s: ServiceUnderTest;
  let clock = jst("2026-12-01 19:00");
  let west: ConsoleClient; // 西毛 counsellor
  let east: ConsoleClient; // 東毛 counsellor
  let westAdmin: ConsoleClient; // admin of 西毛 only
  let admin: ConsoleClient; // admin of every region
  let sup: ConsoleClient;

  beforeAll(async () => {
    s = await startServiceWithSimulator({
      preset: gunmaOpenAroundTheClock(),
      simulator: { now: () => clock.getTime() },
      now: () => clock,
    });
    for (const [name, role, region] of [
      ["west", "counsellor", "seimo"],
      ["east", "counsellor", "tomo"],
      ["westadmin", "admin", "seimo"],
      ["admin", "admin", null],
      ["sup", "supervisor", null],
    ] as const) {
      await account(s.db.prisma, name, role, region);
    }
    const signIn = (name: string) => ConsoleClient.signedIn(s.url, name, PASSWORD);
    [west, east, westAdmin, admin, sup] = await Promise.all([
      signIn("west"),
      signIn("east"),
      signIn("westadmin"),
      signIn("admin"),
      signIn("sup"),
    ]);
  }, 60_000);
  afterAll(async () => s.stop());

  const partners = async (who: ConsoleClient, query = "") =>
    (await who.get(`/api/v1/partners${query}`)).json as unknown as Partner[];
  const partnerNamed = async (name: string) =>
    (await partners(admin, "?archived=true")).find((p) => p.name === name);
  const view = async (who: ConsoleClient, id: string) =>
    (await who.get(`/api/v1/conversations/${id}`)).json as unknown as View;
  const auditCount = (action: string) => s.db.prisma.auditEntry.count({ where: { action } });
  async function inChatWithWest(her: SimulatedPerson): Promise<string> {
    await handOff(her, "高崎");
    const { id } = await latestConversationOf(s.db.prisma, her.userId);
    expect((await west.post(`/api/v1/conversations/${id}/claim`)).status).toBe(200);
    return id;
  }
  async function report(query = "fiscalYear=2026") {
    const r = (await sup.get(`/api/v1/stats/report?${query}`)).json as unknown as {
      tables: Table[];
    };
    return (sheet: string) => {
      const t = r.tables.find((x) => x.sheet === sheet);
      if (!t) throw new Error(`no table ${sheet}`);
      return t;
    };
  }

  it("is seeded from the preset with kinds and the examples marked to confirm", async () => {
    const list = await partners(west);
    const centre = list.find((p) => p.name === "群馬県女性相談支援センター");
    expect(centre).toMatchObject({ kind: "public", toConfirm: true, editable: false });
    expect(list.find((p) => p.name === "民間DVシェルター")?.kind).toBe("shelter");
    // The national line's number is real: not an example.
    expect(list.find((p) => p.name === "児童相談所")?.toConfirm).toBe(false);
  });

  it("lets an admin add, edit, archive and restore a partner, each audited", async () => {
    const before = await auditCount("partner-create");
    const made = await admin.post("/api/v1/partners", NEW_PARTNER);
    expect(made.status).toBe(201);
    const id = (made.json as unknown as Partner).id;
    expect(made.json).toMatchObject({ ...NEW_PARTNER, archived: false, editable: true });
    expect(await auditCount("partner-create")).toBe(before + 1);

    // Counsellors of the region see it; another region's do not.
    expect((await partners(west)).map((p) => p.name)).toContain(NEW_PARTNER.name);
    expect((await partners(east)).map((p) => p.name)).not.toContain(NEW_PARTNER.name);

    const edited = await admin.call("PATCH", `/api/v1/partners/${id}`, {
      hours: "平日 9:00〜17:00",
      address: null,
    });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ hours: "平日 9:00〜17:00" });
    expect((edited.json as { address?: string }).address).toBeUndefined();
    const update = await s.db.prisma.auditEntry.findFirst({
      where: { action: "partner-update" },
      orderBy: { id: "desc" },
    });
    expect(update?.detail).toMatchObject({ partnerId: id, changed: ["hours", "address"] });

    expect((await admin.post(`/api/v1/partners/${id}/archive`)).json).toMatchObject({
      archived: true,
    });
    expect((await partners(west)).map((p) => p.name)).not.toContain(NEW_PARTNER.name);
    expect((await partners(west, "?archived=true")).map((p) => p.name)).toContain(NEW_PARTNER.name);
    expect((await admin.post(`/api/v1/partners/${id}/restore`)).json).toMatchObject({
      archived: false,
    });
    expect(await auditCount("partner-archive")).toBe(1);
    expect(await auditCount("partner-restore")).toBe(1);
  });

  it("refuses bad input with a 4xx and changes nothing", async () => {
    const count = await s.db.prisma.partner.count();
    const refusals: [unknown, number, string][] = [
      [{ ...NEW_PARTNER, name: "別の名前", regions: ["nowhere"] }, 400, "UNKNOWN_REGION"],
      [{ ...NEW_PARTNER, name: "別の名前", topics: ["cooking"] }, 400, "UNKNOWN_TOPIC"],
      [{ ...NEW_PARTNER, name: "別の名前", kind: "bank" }, 400, "INVALID_INPUT"],
      [{ ...NEW_PARTNER, name: "別の名前", phone: "call me" }, 400, "INVALID_INPUT"],
      [{ ...NEW_PARTNER, name: "" }, 400, "INVALID_INPUT"],
      [{ ...NEW_PARTNER, name: "別の名前", regions: ["all", "seimo"] }, 400, "INVALID_INPUT"],
      [NEW_PARTNER, 409, "PARTNER_NAME_TAKEN"],
    ];
    for (const [body, status, code] of refusals) {
      const res = await admin.post("/api/v1/partners", body);
      expect([res.status, res.json.code]).toEqual([status, code]);
    }
    expect(await s.db.prisma.partner.count()).toBe(count);
  });

  it("keeps the directory's edits to admins, and a region's admin to her region's partners", async () => {
    const mine = await partnerNamed(NEW_PARTNER.name);
    const shared = await partnerNamed("群馬県女性相談支援センター");
    if (!mine || !shared) throw new Error("partners missing");
    const byCounsellor = await west.post("/api/v1/partners", { ...NEW_PARTNER, name: "勝手に" });
    expect([byCounsellor.status, byCounsellor.json.code]).toEqual([403, "FORBIDDEN"]);
    // 西毛's admin: her region's partner yes; the programme's (all regions) and 東毛's no.
    const own = await westAdmin.call("PATCH", `/api/v1/partners/${mine.id}`, { toConfirm: false });
    expect(own.status).toBe(200);
    const all = await westAdmin.call("PATCH", `/api/v1/partners/${shared.id}`, { phone: "1" });
    expect([all.status, all.json.code]).toEqual([400, "INVALID_INPUT"]);
    const allValid = await westAdmin.call("PATCH", `/api/v1/partners/${shared.id}`, {
      phone: "027-111-1111",
    });
    expect([allValid.status, allValid.json.code]).toEqual([403, "PARTNER_OUT_OF_REGION"]);
    // Nor may she take the programme's partner for her region alone.
    const narrowed = await westAdmin.call("PATCH", `/api/v1/partners/${shared.id}`, {
      regions: ["seimo"],
    });
    expect([narrowed.status, narrowed.json.code]).toEqual([403, "PARTNER_OUT_OF_REGION"]);
    expect((await partnerNamed("群馬県女性相談支援センター"))?.regions).toEqual(["all"]);
    const east2 = await westAdmin.post("/api/v1/partners", {
      ...NEW_PARTNER,
      name: "東毛の窓口",
      regions: ["tomo"],
    });
    expect([east2.status, east2.json.code]).toEqual([403, "PARTNER_OUT_OF_REGION"]);
    expect((await partnerNamed("群馬県女性相談支援センター"))?.phone).toBeUndefined();
  });

  it("shows the directory's partners as the conversation's referral cards", async () => {
    clock = jst("2026-12-01 19:30");
    const id = await inChatWithWest(s.sim.person());
    const cards = (await view(west, id)).referralCards;
    const card = cards.find((c) => c.name === NEW_PARTNER.name);
    expect(card?.contactText).toContain("027-000-0000");
    const mine = await partnerNamed(NEW_PARTNER.name);
    await admin.post(`/api/v1/partners/${mine?.id ?? ""}/archive`);
    expect((await view(west, id)).referralCards.map((c) => c.name)).not.toContain(NEW_PARTNER.name);
    await admin.post(`/api/v1/partners/${mine?.id ?? ""}/restore`);
  });

  it("records a referral with her consent, then its outcome with a follow-up task", async () => {
    clock = jst("2026-12-02 10:00");
    const id = await inChatWithWest(s.sim.person());
    const partner = await partnerNamed(NEW_PARTNER.name);
    if (!partner) throw new Error("no partner");
    const made = await west.post(`/api/v1/conversations/${id}/referrals`, {
      partnerId: partner.id,
      consent: "verbal",
    });
    expect(made.status).toBe(201);
    const referral = made.json as unknown as Referral;
    expect(referral).toMatchObject({ consent: "verbal", outcome: "pending", followUpTaskId: null });
    expect((await view(west, id)).referralRecords.map((r) => r.partner.name)).toEqual([
      NEW_PARTNER.name,
    ]);

    const later = await west.call("PATCH", `/api/v1/referrals/${referral.id}`, {
      outcome: "not-reached",
      followUpOn: "2026-12-09",
    });
    expect(later.status).toBe(200);
    expect(later.json).toMatchObject({ outcome: "not-reached", followUpOn: "2026-12-09" });
    const tasks = (await west.get("/api/v1/tasks?scope=mine&status=open")).json as unknown as {
      id: string;
      kind: string;
      dueOn: string;
      conversationId: string | null;
    }[];
    const task = tasks.find((t) => t.id === (later.json as unknown as Referral).followUpTaskId);
    expect(task).toMatchObject({ kind: "call-back", dueOn: "2026-12-09", conversationId: id });

    // Another region's counsellor: the referral does not exist for her.
    const foreign = await east.call("PATCH", `/api/v1/referrals/${referral.id}`, {
      outcome: "connected",
    });
    expect(foreign.status).toBe(404);
    expect((await east.get(`/api/v1/conversations/${id}/referrals`)).status).toBe(404);
    expect(await auditCount("referral-create")).toBe(1);
    expect(await auditCount("referral-outcome")).toBe(1);
  });

  it("refuses a referral to an unknown, another region's or archived partner, writing nothing", async () => {
    clock = jst("2026-12-02 11:00");
    const id = await inChatWithWest(s.sim.person());
    const before = await s.db.prisma.referral.count();
    const tasksBefore = await s.db.prisma.followUpTask.count();
    const eastOnly = await s.db.prisma.partner.create({
      data: { name: "東毛だけの窓口", kind: "npo", regions: ["tomo"], topics: [] },
    });
    const archived = await s.db.prisma.partner.create({
      data: {
        name: "閉じた窓口",
        kind: "npo",
        regions: ["all"],
        topics: [],
        archivedAt: clock,
      },
    });
    const tries: [Record<string, unknown>, number, string][] = [
      [{ partnerId: "00000000-0000-4000-8000-000000000000" }, 400, "UNKNOWN_PARTNER"],
      [{ partnerId: eastOnly.id }, 400, "UNKNOWN_PARTNER"],
      [{ partnerId: archived.id }, 409, "PARTNER_ARCHIVED"],
      [{ partnerId: eastOnly.id, consent: "maybe" }, 400, "INVALID_INPUT"],
      [{ partnerId: archived.id, followUpOn: "2026-11-30" }, 409, "PARTNER_ARCHIVED"],
    ];
    for (const [extra, status, code] of tries) {
      const res = await west.post(`/api/v1/conversations/${id}/referrals`, {
        consent: "yes",
        followUpOn: "2026-12-10",
        ...extra,
      });
      expect([res.status, res.json.code]).toEqual([status, code]);
    }
    // A follow-up day in the past: the task list refuses it, and the referral is not written.
    const partner = await partnerNamed(NEW_PARTNER.name);
    const past = await west.post(`/api/v1/conversations/${id}/referrals`, {
      partnerId: partner?.id,
      consent: "yes",
      followUpOn: "2026-11-30",
    });
    expect([past.status, past.json.code]).toEqual([400, "DUE_DATE_PAST"]);
    expect(await s.db.prisma.referral.count()).toBe(before);
    expect(await s.db.prisma.followUpTask.count()).toBe(tasksBefore);
  });

  it("records a referral from a phone entry of the region", async () => {
    clock = jst("2026-12-03 10:00");
    const entry = await west.post("/api/v1/stats/entries", {
      channel: "phone",
      regionId: "seimo",
      startedAt: jst("2026-12-03 09:30").toISOString(),
      topics: ["poverty"],
      referrals: [],
      followUps: [],
      riskLevel: "none",
    });
    expect(entry.status).toBe(201);
    const entryId = (entry.json as unknown as { id: string }).id;
    const partner = await partnerNamed("社会福祉協議会");
    const made = await west.post(`/api/v1/stats/entries/${entryId}/referrals`, {
      partnerId: partner?.id,
      consent: "yes",
      followUpOn: "2026-12-10",
    });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ entryId, conversationId: null, followUpOn: "2026-12-10" });
    const listed = (await west.get(`/api/v1/stats/entries/${entryId}/referrals`))
      .json as unknown as Referral[];
    expect(listed.map((r) => r.partner.name)).toEqual(["社会福祉協議会"]);
    const foreign = await east.post(`/api/v1/stats/entries/${entryId}/referrals`, {
      partnerId: partner?.id,
      consent: "yes",
    });
    expect(foreign.status).toBe(404);
  });

  it("codes a closing's referral to a partner added in the console by its name", async () => {
    clock = jst("2026-12-04 10:00");
    const id = await inChatWithWest(s.sim.person());
    // A counsellor answered: a consultation the report counts.
    const sent = await west.post(`/api/v1/conversations/${id}/messages`, {
      text: "お話ししてくださってありがとうございます。",
    });
    expect(sent.status).toBe(201);
    const closed = await west.post(`/api/v1/conversations/${id}/close`, {
      topics: ["dv"],
      referrals: [NEW_PARTNER.name],
      followUps: [],
      riskLevel: "none",
      confirmUnanswered: true,
    });
    expect(closed.status).toBe(200);
    const c = await s.db.prisma.conversation.findUniqueOrThrow({ where: { id } });
    expect(c.referrals).toEqual([NEW_PARTNER.name]);
    expect(c.referralsOtherEnc).toBeNull();
  });

  it("counts referrals by partner, consent and outcome in the report, every partner a row", async () => {
    const table = (await report())("つなぎ先の記録");
    expect(table.header).toEqual([
      "機関",
      "件数",
      "同意あり",
      "口頭で同意",
      "同意なし",
      "つながった",
      "まだわからない",
      "本人が断った",
      "連絡がつかなかった",
    ]);
    const row = (name: string) => table.rows.find((r) => r[0] === name);
    expect(row(NEW_PARTNER.name)).toEqual([NEW_PARTNER.name, 1, 0, 1, 0, 0, 0, 0, 1]);
    expect(row("社会福祉協議会")).toEqual(["社会福祉協議会", 1, 1, 0, 0, 0, 1, 0, 0]);
    expect(row("ジョブカフェぐんま")).toEqual(["ジョブカフェぐんま", 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(table.total).toEqual(["合計", 2, 1, 1, 0, 0, 1, 0, 1]);
    // The archived partner is not offered as a row; 東毛's report has none of 西毛's records.
    expect(row("閉じた窓口")).toBeUndefined();
    const eastTable = (await report("fiscalYear=2026&region=tomo"))("つなぎ先の記録");
    expect(eastTable.total).toEqual(["合計", 0, 0, 0, 0, 0, 0, 0, 0]);
    // The closings' coding table has the console-added partner as a row of its own.
    const coded = (await report())("つなぎ先");
    expect(coded.rows.find((r) => r[0] === NEW_PARTNER.name)).toEqual([NEW_PARTNER.name, 1]);

    // The phone entry deleted (entered by mistake): its referral counts nowhere any more.
    const fromEntry = await s.db.prisma.referral.findFirstOrThrow({
      where: { entryId: { not: null } },
    });
    const deleted = await west.call("DELETE", `/api/v1/stats/entries/${fromEntry.entryId ?? ""}`);
    expect(deleted.status).toBe(204);
    const after = (await report())("つなぎ先の記録");
    expect(after.rows.find((r) => r[0] === "社会福祉協議会")).toEqual([
      "社会福祉協議会",
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
    expect(after.total).toEqual(["合計", 1, 0, 1, 0, 0, 0, 0, 1]);
  });
});
