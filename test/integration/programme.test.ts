import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { turn } from "../support/conversation-driver";
import { eventually } from "../support/eventually";
import { asksAwareness, handOff } from "../support/handoff";
import { latestConversationOf } from "../support/her-conversation";
import { gunmaOpenAroundTheClock } from "../support/presets";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { jst } from "../support/stats-history";

interface Gathering {
  id: string;
  regionId: string;
  startsAt: string;
  place: string;
  theme: string;
  headCount: number | null;
  cancelled: boolean;
  attendees: { personId: string; pseudonym: string; consent: string }[];
  productsHandedOut: number;
}
interface Handout {
  id: string;
  regionId: string;
  handedOn: string;
  place: { kind: string; id: string; label: string };
  quantity: number;
}
interface ProgrammeTables {
  programme: {
    gatherings: { regionId: string; month: string; gatherings: number; attendance: number }[];
    linkedWomen: number;
    products: {
      regionId: string;
      month: string;
      quantity: number;
      atPickupPoints: number;
      atGatherings: number;
    }[];
  };
  consultations: number;
  tables: {
    sheet: string;
    rows: (string | number | null)[][];
    total: (string | number | null)[] | null;
  }[];
}

/**
 * 居場所 gatherings, sanitary products and the awareness question (issue #18 points 3-5), through
 * the API and her LINE, on real PostgreSQL, Redis and BullMQ; the clock is the test's.
 */
jest.setTimeout(120_000);
describe("the programme: gatherings, sanitary products, awareness", () => {
  let s: ServiceUnderTest;
  let clock = jst("2026-12-01 10:00");
  let west: ConsoleClient; // 西毛 counsellor
  let east: ConsoleClient; // 東毛 counsellor
  let sup: ConsoleClient; // supervisor of every region

  beforeAll(async () => {
    s = await startServiceWithSimulator({
      preset: gunmaOpenAroundTheClock(),
      simulator: { now: () => clock.getTime() },
      now: () => clock,
    });
    await account(s.db.prisma, "west", "counsellor", "seimo");
    await account(s.db.prisma, "east", "counsellor", "tomo");
    await account(s.db.prisma, "sup", "supervisor", null);
    const signIn = (name: string) => ConsoleClient.signedIn(s.url, name, PASSWORD);
    [west, east, sup] = await Promise.all([signIn("west"), signIn("east"), signIn("sup")]);
  }, 60_000);
  afterAll(async () => s.stop());

  const plan = async (who: ConsoleClient, body: Record<string, unknown>) => {
    const res = await who.post("/api/v1/gatherings", body);
    expect(res.status).toBe(201);
    return res.json as unknown as Gathering;
  };
  const upcoming = async (who: ConsoleClient) =>
    (await who.get("/api/v1/gatherings?when=upcoming")).json as unknown as Gathering[];
  const audits = (action: string) => s.db.prisma.auditEntry.count({ where: { action } });

  it("plans gatherings per region: each region sees its own, a negative head count changes nothing", async () => {
    clock = jst("2026-12-01 10:00");
    const g = await plan(west, {
      startsAt: "2026-12-12T14:00:00+09:00",
      place: "安中市文化センター 和室",
      theme: "手芸とお茶",
    });
    expect(g).toMatchObject({
      regionId: "seimo",
      headCount: null,
      cancelled: false,
      attendees: [],
    });
    await plan(east, {
      startsAt: "2026-12-10T10:00:00+09:00",
      place: "太田市民会館",
      theme: "料理の会",
    });
    expect((await upcoming(west)).map((x) => x.place)).toEqual(["安中市文化センター 和室"]);
    expect((await upcoming(east)).map((x) => x.place)).toEqual(["太田市民会館"]);
    expect((await upcoming(sup)).map((x) => x.place)).toEqual([
      "太田市民会館",
      "安中市文化センター 和室",
    ]);

    // Another region's gathering does not exist for her (404), and she cannot plan one there.
    expect((await east.call("PATCH", `/api/v1/gatherings/${g.id}`, { headCount: 3 })).status).toBe(
      404,
    );
    const foreign = await west.post("/api/v1/gatherings", {
      regionId: "tomo",
      startsAt: "2026-12-12T14:00:00+09:00",
      place: "太田",
      theme: "x",
    });
    expect(foreign.status).toBe(403);

    const negative = await west.call("PATCH", `/api/v1/gatherings/${g.id}`, { headCount: -1 });
    expect(negative.status).toBe(400);
    expect(negative.json).toMatchObject({ code: "INVALID_INPUT" });
    expect(typeof negative.json.reqId).toBe("string");
    const unchanged = await s.db.prisma.gathering.findUniqueOrThrow({ where: { id: g.id } });
    expect(unchanged.headCount).toBeNull();
    expect(await audits("gathering-change")).toBe(0);

    const missing = await west.post("/api/v1/gatherings", { place: "どこか", theme: "x" });
    expect(missing.status).toBe(400);
    expect(await s.db.prisma.gathering.count()).toBe(2);
    expect(await audits("gathering-create")).toBe(2);
  });

  it("tells her the next gatherings of her region when she asks, and nothing of a called-off one", async () => {
    clock = jst("2026-12-01 11:00");
    const called = await plan(west, {
      startsAt: "2026-12-05T14:00:00+09:00",
      place: "中止になった会場",
      theme: "中止",
    });
    const off = await west.call("PATCH", `/api/v1/gatherings/${called.id}`, { cancelled: true });
    expect(off.status).toBe(200);
    expect((off.json as unknown as Gathering).cancelled).toBe(true);
    const her = s.sim.person();
    await turn(her, (p) => p.follow());
    await turn(her, (p) => p.tapQuickReply("はい、大丈夫"));
    await turn(her, (p) => p.tapQuickReply("居場所・集まりを知りたい"));
    const told = await turn(her, (p) => p.say("高崎です"));
    const text = told.map((m) => m.text ?? "").join("\n");
    expect(text).toContain("これから開かれる「居場所」の集まりです");
    expect(text).toContain("12月12日(土) 14:00〜 安中市文化センター 和室");
    expect(text).not.toContain("中止になった会場");
    expect(text).not.toContain("太田市民会館");
    const bye = await turn(her, (p) => p.tapQuickReply("今日はこれで大丈夫"));
    expect(bye.map((m) => m.text).join("\n")).toContain("いつでもメッセージを送ってくださいね");
    const c = await latestConversationOf(s.db.prisma, her.userId);
    expect(c).toMatchObject({ status: "closed", endReason: "completed", waitingSince: null });
    // Nothing went to her unasked: every message she got was the reply to one of hers.
    expect(her.received().map((m) => m.via)).toEqual(her.received().map(() => "reply"));
  });

  it("links a woman who came only with her recorded consent; her pseudonym, in her region only", async () => {
    clock = jst("2026-12-12 16:00");
    const [g] = (await west.get("/api/v1/gatherings?when=past")).json as unknown as Gathering[];
    if (!g) throw new Error("no past gathering");
    const her = s.sim.person();
    await handOff(her, "高崎");
    const { personId } = await latestConversationOf(s.db.prisma, her.userId);
    const { pseudonym } = await s.db.prisma.person.findUniqueOrThrow({ where: { id: personId } });

    const noConsent = await west.post(`/api/v1/gatherings/${g.id}/attendees`, { pseudonym });
    expect(noConsent.status).toBe(400);
    expect(await s.db.prisma.gatheringAttendee.count()).toBe(0);
    // A woman of another region is unknown here (404), so is a made-up pseudonym.
    const other = s.sim.person();
    await handOff(other, "太田");
    const { personId: otherId } = await latestConversationOf(s.db.prisma, other.userId);
    const otherName = (await s.db.prisma.person.findUniqueOrThrow({ where: { id: otherId } }))
      .pseudonym;
    const notHers = await west.post(`/api/v1/gatherings/${g.id}/attendees`, {
      pseudonym: otherName,
      consent: "verbal",
    });
    expect(notHers.status).toBe(404);
    expect(
      (
        await west.post(`/api/v1/gatherings/${g.id}/attendees`, {
          pseudonym: "ないひと",
          consent: "verbal",
        })
      ).status,
    ).toBe(404);

    const linked = await west.post(`/api/v1/gatherings/${g.id}/attendees`, {
      pseudonym,
      consent: "verbal",
    });
    expect(linked.status).toBe(200);
    expect((linked.json as unknown as Gathering).attendees).toEqual([
      { personId, pseudonym, consent: "verbal" },
    ]);
    expect(
      (await west.post(`/api/v1/gatherings/${g.id}/attendees`, { pseudonym, consent: "verbal" }))
        .status,
    ).toBe(409);
    const counted = await west.call("PATCH", `/api/v1/gatherings/${g.id}`, { headCount: 9 });
    expect((counted.json as unknown as Gathering).headCount).toBe(9);
    const audit = await s.db.prisma.auditEntry.findFirstOrThrow({
      where: { action: "gathering-link" },
    });
    expect(audit.detail).toEqual({ gatheringId: g.id, personId, consent: "verbal" });

    const unlinked = await west.call("DELETE", `/api/v1/gatherings/${g.id}/attendees/${personId}`);
    expect((unlinked.json as unknown as Gathering).attendees).toEqual([]);
    await west.post(`/api/v1/gatherings/${g.id}/attendees`, { pseudonym, consent: "written" });
  });

  it("records sanitary products per region and day at a pickup point or a gathering; bad input changes nothing", async () => {
    clock = jst("2026-12-12 17:00");
    const [g] = (await west.get("/api/v1/gatherings?when=past")).json as unknown as Gathering[];
    if (!g) throw new Error("no past gathering");
    const points = (await west.get("/api/v1/pickup-points")).json as unknown as {
      id: string;
      toConfirm: boolean;
    }[];
    expect(points.map((p) => p.id)).toEqual(["takasaki_city"]);
    expect(points.every((p) => p.toConfirm)).toBe(true);

    const atPoint = await west.post("/api/v1/product-handouts", {
      handedOn: "2026-12-03",
      pickupPointId: "takasaki_city",
      quantity: 20,
    });
    expect(atPoint.status).toBe(201);
    expect(
      (
        await west.post(`/api/v1/gatherings/${g.id}/product-handouts`, {
          handedOn: "2026-12-12",
          quantity: 6,
        })
      ).status,
    ).toBe(201);
    // Another region's gathering is unknown to her (404).
    const foreign = await east.post(`/api/v1/gatherings/${g.id}/product-handouts`, {
      handedOn: "2026-12-12",
      quantity: 1,
    });
    expect(foreign.status).toBe(404);
    for (const [body, code] of [
      [{ handedOn: "2026-12-03", pickupPointId: "ota_city", quantity: 5 }, "UNKNOWN_PICKUP_POINT"],
      [{ handedOn: "2026-12-03", pickupPointId: "takasaki_city", quantity: 0 }, "INVALID_INPUT"],
      [{ handedOn: "2026-12-03", quantity: 5 }, "INVALID_INPUT"],
      [{ handedOn: "2026-12-13", pickupPointId: "takasaki_city", quantity: 5 }, "HANDED_ON_FUTURE"],
    ] as const) {
      const refused = await west.post("/api/v1/product-handouts", body);
      expect([refused.status, refused.json.code]).toEqual([400, code]);
    }
    expect(await s.db.prisma.productHandout.count()).toBe(2);
    const eastRow = await east.post("/api/v1/product-handouts", {
      handedOn: "2026-12-04",
      pickupPointId: "ota_city",
      quantity: 7,
    });
    expect(eastRow.status).toBe(201);

    const list = (await west.get("/api/v1/product-handouts?month=2026-12"))
      .json as unknown as Handout[];
    expect(list.map((h) => [h.handedOn, h.place.kind, h.place.label, h.quantity])).toEqual([
      ["2026-12-03", "pickup-point", "高崎市役所 女性相談の窓口（例）", 20],
      ["2026-12-12", "gathering", "居場所 12月12日(土) 14:00 安中市文化センター 和室", 6],
    ]);
    // Another region's record is not hers to delete (404); a mistaken one of hers goes.
    const eastId = (eastRow.json as unknown as { id: string }).id;
    expect((await west.call("DELETE", `/api/v1/product-handouts/${eastId}`)).status).toBe(404);
    const mistake = await west.post("/api/v1/product-handouts", {
      handedOn: "2026-12-05",
      pickupPointId: "takasaki_city",
      quantity: 99,
    });
    const mistakeId = (mistake.json as unknown as { id: string }).id;
    expect((await west.call("DELETE", `/api/v1/product-handouts/${mistakeId}`)).status).toBe(200);
    expect(
      ((await west.get("/api/v1/product-handouts?month=2026-12")).json as unknown as Handout[])
        .length,
    ).toBe(2);
    expect(await audits("handout-record")).toBe(4);
    expect(await audits("handout-delete")).toBe(1);
  });

  it("counts gatherings, attendance and products in the report by region and month, not as consultations", async () => {
    const before = (await sup.get("/api/v1/stats/report?month=2026-12"))
      .json as unknown as ProgrammeTables;
    expect(before.programme).toEqual({
      gatherings: [{ regionId: "seimo", month: "2026-12", gatherings: 1, attendance: 9 }],
      linkedWomen: 1,
      products: [
        { regionId: "seimo", month: "2026-12", quantity: 26, atPickupPoints: 20, atGatherings: 6 },
        { regionId: "tomo", month: "2026-12", quantity: 7, atPickupPoints: 7, atGatherings: 0 },
      ].sort((a, b) => a.regionId.localeCompare(b.regionId)),
    });
    const products = before.tables.find((t) => t.sheet === "生理用品");
    expect(products?.rows).toEqual([["2026年12月", 0, 26, 7, 33, 27, 6]]);
    const places = before.tables.find((t) => t.sheet === "居場所");
    expect(places?.total).toEqual(["期間計", 0, 0, 1, 9, 0, 0, 1, 9]);
    // A region's report has that region only.
    const westOnly = (await sup.get("/api/v1/stats/report?month=2026-12&region=tomo"))
      .json as unknown as ProgrammeTables;
    expect(westOnly.programme.gatherings).toEqual([]);
    expect(westOnly.programme.products.map((p) => p.quantity)).toEqual([7]);
    // Handing out and gathering are activities: no consultation came of them.
    expect(before.consultations).toBe(0);
  });

  it("asks how she came to know the service once per woman, never in a later conversation", async () => {
    clock = jst("2026-12-13 10:00");
    const her = s.sim.person();
    await turn(her, (p) => p.follow());
    await turn(her, (p) => p.tapQuickReply("はい、大丈夫"));
    await turn(her, (p) => p.tapQuickReply("その他"));
    await turn(her, (p) => p.tapQuickReply("これで全部"));
    await turn(her, (p) => p.say("前橋"));
    await turn(her, (p) => p.tapQuickReply("答えずに進む"));
    const asked = await turn(her, (p) => p.tapQuickReply("答えずに進む"));
    expect(asked.map((m) => m.text).join("\n")).toContain("何で知りましたか");
    await turn(her, (p) => p.tapQuickReply("カード・ポスター"));
    const first = await latestConversationOf(s.db.prisma, her.userId);
    expect(first.triageAnswers).toMatchObject({ awareness: "card-poster" });
    const person = await s.db.prisma.person.findUniqueOrThrow({ where: { id: first.personId } });
    expect(person.askedOnce).toEqual(["answers.awareness"]);
    // She leaves the queue, then writes again the next day: a new conversation, not asked again.
    await her.say("おわり");
    await eventually(
      () => latestConversationOf(s.db.prisma, her.userId),
      (c) => c.status === "abandoned",
    );
    clock = jst("2026-12-14 10:00");
    await turn(her, (p) => p.say("また相談したいです"));
    await turn(her, (p) => p.tapQuickReply("はい、大丈夫"));
    await turn(her, (p) => p.tapQuickReply("その他"));
    await turn(her, (p) => p.tapQuickReply("これで全部"));
    await turn(her, (p) => p.say("前橋"));
    await turn(her, (p) => p.tapQuickReply("答えずに進む"));
    const handedOff = await turn(her, (p) => p.tapQuickReply("答えずに進む"));
    expect(handedOff.map((m) => m.text).join("\n")).toContain("相談員に伝わっている");
    expect(asksAwareness(her)).toBe(false);
    const second = await latestConversationOf(s.db.prisma, her.userId);
    expect(second.id).not.toBe(first.id);
    expect(second.status).toBe("waiting");
    expect(second.triageAnswers).not.toHaveProperty("awareness");
    const report = (await sup.get("/api/v1/stats/report?month=2026-12")).json as unknown as {
      awareness: { asked: boolean };
      tables: { sheet: string; note?: string }[];
    };
    expect(report.awareness.asked).toBe(true);
    expect(report.tables.find((t) => t.sheet === "相談窓口の認知")?.note).toBeUndefined();
  });
});
