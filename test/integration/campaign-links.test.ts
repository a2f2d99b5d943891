import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { gunmaOpenAroundTheClock } from "../support/presets";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { jst } from "../support/stats-history";

interface Campaign {
  id: string;
  code: string;
  name: string;
  regionId: string | null;
  link: string;
  scans: number;
}

interface Table {
  sheet: string;
  header: string[];
  rows: (string | number | null)[][];
  total: (string | number | null)[] | null;
}

const ADD_FRIEND = "https://line.me/R/ti/p/@gunma-example";

/**
 * Campaign links (issue #18 point 5): staff register campaigns; /s/:code answers 302 to the
 * account's add-friend URL and counts a scan per campaign and month with nothing about the
 * person; the report shows the scans. Real PostgreSQL; the clock is the test's.
 */
jest.setTimeout(120_000);
describe("campaign links", () => {
  let s: ServiceUnderTest;
  let clock = jst("2026-11-30 23:00");
  let sup: ConsoleClient; // every region
  let westSup: ConsoleClient;
  let west: ConsoleClient;

  beforeAll(async () => {
    s = await startServiceWithSimulator({
      preset: gunmaOpenAroundTheClock(),
      simulator: { now: () => clock.getTime() },
      now: () => clock,
    });
    await account(s.db.prisma, "sup", "supervisor", null);
    await account(s.db.prisma, "westsup", "supervisor", "seimo");
    await account(s.db.prisma, "west", "counsellor", "seimo");
    const signIn = (name: string) => ConsoleClient.signedIn(s.url, name, PASSWORD);
    [sup, westSup, west] = await Promise.all([signIn("sup"), signIn("westsup"), signIn("west")]);
  }, 60_000);
  afterAll(async () => s.stop());

  const scan = (code: string, method = "GET", headers: Record<string, string> = {}) =>
    fetch(`${s.url}/s/${code}`, { method, redirect: "manual", headers });
  const scans = () =>
    s.db.prisma.campaignScan.findMany({ orderBy: [{ campaignKey: "asc" }, { month: "asc" }] });

  it("lets staff register campaigns of their region, refusing bad codes and counsellors", async () => {
    const poster = await westSup.post("/api/v1/campaigns", {
      code: "poster-takasaki",
      name: "高崎駅のポスター",
      regionId: "seimo",
    });
    expect(poster.status).toBe(201);
    expect(poster.json).toMatchObject({ link: "/s/poster-takasaki", scans: 0 });
    const card = await sup.post("/api/v1/campaigns", {
      code: "school-card",
      name: "高校で配ったカード",
      regionId: null,
    });
    expect(card.status).toBe(201);

    const refusals: [ConsoleClient, unknown, number, string][] = [
      [west, { code: "x-1", name: "n", regionId: "seimo" }, 403, "FORBIDDEN"],
      [westSup, { code: "Bad Code", name: "n", regionId: "seimo" }, 400, "INVALID_INPUT"],
      [
        westSup,
        { code: "poster-takasaki", name: "n", regionId: "seimo" },
        409,
        "CAMPAIGN_CODE_TAKEN",
      ],
      [westSup, { code: "ota-1", name: "n", regionId: "tomo" }, 403, "CAMPAIGN_OUT_OF_REGION"],
      [westSup, { code: "all-1", name: "n", regionId: null }, 403, "CAMPAIGN_OUT_OF_REGION"],
      [sup, { code: "nowhere-1", name: "n", regionId: "nowhere" }, 400, "UNKNOWN_REGION"],
    ];
    for (const [who, body, status, code] of refusals) {
      const res = await who.post("/api/v1/campaigns", body);
      expect([res.status, res.json.code]).toEqual([status, code]);
    }
    expect(await s.db.prisma.campaign.count()).toBe(2);
    expect(await s.db.prisma.auditEntry.count({ where: { action: "campaign-create" } })).toBe(2);
  });

  it("redirects every scan to the add-friend URL and counts it per campaign and month, HEAD not", async () => {
    clock = jst("2026-11-30 23:59");
    const first = await scan("poster-takasaki", "GET", {
      "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1",
      cookie: "tracking=abc123",
      "x-forwarded-for": "203.0.113.7",
    });
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toBe(ADD_FRIEND);
    expect(first.headers.get("set-cookie")).toBeNull();
    expect(first.headers.get("cache-control")).toBe("no-store");
    // Tokyo's next month begins at 00:00 JST.
    clock = jst("2026-12-01 00:00");
    await scan("poster-takasaki");
    await scan("poster-takasaki");
    await scan("school-card");
    const unknown = await scan("no-such-code");
    expect([unknown.status, unknown.headers.get("location")]).toEqual([302, ADD_FRIEND]);
    await scan("%E3%81%82"); // not even a code's characters: unknown too
    const head = await scan("poster-takasaki", "HEAD");
    expect([head.status, head.headers.get("location")]).toEqual([302, ADD_FRIEND]);

    const ids = Object.fromEntries(
      (await s.db.prisma.campaign.findMany()).map((c) => [c.code, c.id]),
    );
    const rows = (await scans()).map((r) => [r.campaignKey, r.month, r.scans]);
    expect(rows).toEqual(
      [
        [ids["poster-takasaki"], "2026-11", 1],
        [ids["poster-takasaki"], "2026-12", 2],
        [ids["school-card"], "2026-12", 1],
        ["unknown", "2026-12", 2],
      ].sort(
        (a, b) =>
          String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1])),
      ),
    );
    // Nothing about the person anywhere: the table holds a key, a month and a count.
    const dump = JSON.stringify(
      await s.db.prisma.$queryRaw`SELECT * FROM campaign_scan`,
      (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v),
    );
    for (const trace of ["203.0.113.7", "iPhone", "abc123", "no-such-code"]) {
      expect(dump).not.toContain(trace);
    }
  });

  it("shows the scans per campaign and month in the report and the console's list", async () => {
    const list = (await sup.get("/api/v1/campaigns")).json as unknown as Campaign[];
    expect(list.map((c) => [c.code, c.scans]).sort()).toEqual([
      ["poster-takasaki", 3],
      ["school-card", 1],
    ]);
    const r = (await sup.get("/api/v1/stats/report?from=2026-11-01&to=2026-12-31"))
      .json as unknown as {
      tables: Table[];
    };
    const table = r.tables.find((t) => t.sheet === "広報の読み取り");
    expect(table?.header).toEqual(["キャンペーン", "2026年11月", "2026年12月", "合計"]);
    expect(table?.rows).toEqual([
      ["高崎駅のポスター（poster-takasaki）", 1, 2, 3],
      ["高校で配ったカード（school-card）", 0, 1, 1],
      ["不明なコード", 0, 2, 2],
    ]);
    expect(table?.total).toEqual(["合計", 1, 5, 6]);
    // 西毛's report: its own campaign only.
    const west = (await westSup.get("/api/v1/stats/report?from=2026-11-01&to=2026-12-31"))
      .json as unknown as { tables: Table[] };
    expect(west.tables.find((t) => t.sheet === "広報の読み取り")?.rows).toEqual([
      ["高崎駅のポスター（poster-takasaki）", 1, 2, 3],
    ]);
  });
});
