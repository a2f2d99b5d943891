import { pseudonymFor } from "../../src/privacy/pseudonym";
import { account, PASSWORD } from "../support/console-client";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { statsHistory } from "../support/stats-history";

/** A console user on the real API: session cookie and CSRF token, raw responses (CSV too). */
async function signIn(base: string, loginName: string) {
  const res = await fetch(`${base}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ loginName, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return {
    get: (path: string) => fetch(`${base}/api/v1${path}`, { headers: { cookie } }),
    post: (path: string, body: unknown, csrf = true) =>
      fetch(`${base}/api/v1${path}`, {
        method: "POST",
        headers: {
          cookie,
          "content-type": "application/json",
          ...(csrf ? { "x-csrf-token": csrfToken } : {}),
        },
        body: JSON.stringify(body),
      }),
  };
}

interface ReportBody {
  consultations: number;
  people: number;
  filters: { region: string | null };
  byChannel: { channel: string; consultations: number; people: number }[];
}

describe("statistics API: who sees what, CSV, other-channel entries", () => {
  let s: ServiceUnderTest;
  let herPseudonym = "";

  beforeAll(async () => {
    s = await startServiceWithSimulator();
    await account(s.db.prisma, "counsellor", "counsellor", "seimo");
    await account(s.db.prisma, "sv-seimo", "supervisor", "seimo");
    await account(s.db.prisma, "sv-all", "supervisor", null);
    const h = statsHistory(s.db.prisma);
    const cn = await h.counsellor("seimo");
    const her = await h.person();
    herPseudonym = her.pseudonym;
    // One LINE consultation in 西毛 and one in 東毛, fiscal year 2025.
    for (const region of ["seimo", "tomo"]) {
      await h.line({
        person: her.id,
        start: "2025-05-10 20:00",
        waiting: "2025-05-10 20:03",
        answered: "2025-05-10 20:10",
        region,
        topics: ["dv"],
        counsellor: cn,
      });
    }
  }, 60_000);

  afterAll(async () => {
    await s?.stop();
  });

  it("refuses the report to a counsellor", async () => {
    const counsellor = await signIn(s.url, "counsellor");
    expect((await counsellor.get("/stats/report?fiscalYear=2025")).status).toBe(403);
    expect((await counsellor.get("/stats/report.csv?fiscalYear=2025")).status).toBe(403);
  });

  it("keeps a region-bound supervisor to her region", async () => {
    const sv = await signIn(s.url, "sv-seimo");
    const own = await sv.get("/stats/report?fiscalYear=2025");
    expect(own.status).toBe(200);
    const body = (await own.json()) as ReportBody;
    expect(body.filters.region).toBe("seimo");
    expect(body.consultations).toBe(1);
    expect((await sv.get("/stats/report?fiscalYear=2025&region=tomo")).status).toBe(403);
    const all = (await (
      await (await signIn(s.url, "sv-all")).get("/stats/report?fiscalYear=2025")
    ).json()) as ReportBody;
    expect(all.consultations).toBe(2);
    expect(all.people).toBe(1);
  });

  it("serves the CSVs as UTF-8 with BOM, for Excel", async () => {
    const sv = await signIn(s.url, "sv-all");
    for (const [path, name] of [
      ["/stats/report.csv?fiscalYear=2025", "report-fy2025.csv"],
      ["/stats/records.csv?fiscalYear=2025", "records-fy2025.csv"],
    ] as const) {
      const res = await sv.get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${name}"`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = new TextDecoder().decode(bytes.slice(3));
      expect(text.endsWith("\r\n")).toBe(true);
      if (name.startsWith("report")) expect(text).toContain("\r\n延べ数（相談件数）,2\r\n");
    }
  });

  it("records an other-channel entry (with CSRF) that the report then counts", async () => {
    const sv = await signIn(s.url, "sv-seimo");
    const entry = {
      channel: "phone",
      regionId: "seimo",
      startedAt: "2025-06-02T10:00:00+09:00",
      topics: ["poverty"],
      referrals: [],
      followUps: ["visit"],
      riskLevel: "low",
      caseRef: "K-77",
    };
    expect((await sv.post("/stats/entries", entry, false)).status).toBe(403);
    expect((await sv.post("/stats/entries", { ...entry, regionId: "tomo" })).status).toBe(403);
    const created = await sv.post("/stats/entries", entry);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ channel: "phone", regionId: "seimo" });

    const report = (await (await sv.get("/stats/report?fiscalYear=2025")).json()) as ReportBody;
    expect(report.consultations).toBe(2);
    expect(report.people).toBe(2);
    expect(report.byChannel).toEqual([
      { channel: "line", label: "LINE", consultations: 1, people: 1 },
      { channel: "phone", label: "電話", consultations: 1, people: 1 },
    ]);
  });

  it("finds her by the pseudonym the console shows for a phone entry: she counts once in 実数", async () => {
    const sv = await signIn(s.url, "sv-all");
    const report = async () =>
      (await (await sv.get("/stats/report?fiscalYear=2025")).json()) as ReportBody;
    const before = await report();
    const entry = {
      channel: "phone",
      regionId: "tomo",
      startedAt: "2025-07-01T10:00:00+09:00",
      topics: ["dv"],
      referrals: [],
      followUps: [],
      riskLevel: "low",
    };
    const nobody = await sv.post("/stats/entries", {
      ...entry,
      personPseudonym: pseudonymFor("nobody"),
    });
    expect(nobody.status).toBe(400);
    expect(await nobody.json()).toMatchObject({ code: "UNKNOWN_PERSON" });

    const created = await sv.post("/stats/entries", { ...entry, personPseudonym: herPseudonym });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ personKnown: true });
    const after = await report();
    expect(after.consultations).toBe(before.consultations + 1);
    expect(after.people).toBe(before.people);
  });
});
