import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";

interface EntryView {
  id: string;
  channel: string;
  regionId: string;
  startedAt: string;
  topics: string[];
  firstContact: boolean | null;
  caseRef: string | null;
  counsellor: string;
  correctedAt: string | null;
  editable: boolean;
}
interface Figures {
  consultations: number;
  people: number;
  newReturning: { new: number; returning: number; unknown: number };
  byChannel: { channel: string; consultations: number }[];
}

const entry = (over: Record<string, unknown> = {}) => ({
  channel: "phone",
  regionId: "seimo",
  startedAt: "2025-06-02T10:00:00+09:00",
  topics: ["poverty"],
  referrals: [],
  followUps: [],
  riskLevel: "low",
  ...over,
});

/**
 * Manual entries (phone, e-mail, visit, 訪問, 同行) listed, corrected and deleted in the console:
 * scoped by region and author, audited without their content, and the report follows at once.
 * 「はじめての相談」 is 新規 / 継続 / 不明.
 */
describe("manual consultation entries: list, correct, delete", () => {
  let s: ServiceUnderTest;
  let west: ConsoleClient;
  let west2: ConsoleClient;
  let svWest: ConsoleClient;
  let svEast: ConsoleClient;
  let svAll: ConsoleClient;

  beforeAll(async () => {
    s = await startServiceWithSimulator();
    await account(s.db.prisma, "west", "counsellor", "seimo");
    await account(s.db.prisma, "west2", "counsellor", "seimo");
    await account(s.db.prisma, "sv-west", "supervisor", "seimo");
    await account(s.db.prisma, "sv-east", "supervisor", "tomo");
    await account(s.db.prisma, "sv-all", "supervisor", null);
    const signIn = (login: string) => ConsoleClient.signedIn(s.url, login, PASSWORD);
    west = await signIn("west");
    west2 = await signIn("west2");
    svWest = await signIn("sv-west");
    svEast = await signIn("sv-east");
    svAll = await signIn("sv-all");
  }, 60_000);
  afterAll(async () => s.stop());

  const report = async (q = "fiscalYear=2025") =>
    (await svAll.call("GET", `/api/v1/stats/report?${q}`)).json as unknown as Figures;
  const list = async (who: ConsoleClient, q = "fiscalYear=2025") => {
    const res = await who.call("GET", `/api/v1/stats/entries?${q}`);
    expect(res.status).toBe(200);
    return (res.json as unknown as { entries: EntryView[] }).entries;
  };

  it("counts 「はじめての相談」 as 新規, 継続 or 不明 (no answer), and lists the entries", async () => {
    for (const firstContact of [true, false, null]) {
      const res = await west.call("POST", "/api/v1/stats/entries", entry({ firstContact }));
      expect(res.status).toBe(201);
    }
    expect((await report()).newReturning).toEqual({ new: 1, returning: 1, unknown: 1 });
    const listed = await list(west);
    expect(listed.map((e) => e.firstContact).sort()).toEqual([false, null, true].sort());
    expect(listed.every((e) => e.editable && e.counsellor === "相談員west")).toBe(true);
    // Another counsellor of the region sees them but may not change them; another region does not.
    expect((await list(west2)).map((e) => e.editable)).toEqual([false, false, false]);
    expect(await list(svEast)).toEqual([]);
    expect(
      (await svEast.call("GET", "/api/v1/stats/entries?fiscalYear=2025&region=seimo")).status,
    ).toBe(403);
    expect((await list(svAll, "fiscalYear=2025&region=seimo")).length).toBe(3);
  });

  it("corrects an entry: the report changes at once, the audit names the fields, not the values", async () => {
    const [target] = (await list(west)).filter((e) => e.firstContact === null);
    if (!target) throw new Error("no entry");
    const before = await report();
    const corrected = await west.call(
      "PATCH",
      `/api/v1/stats/entries/${target.id}`,
      entry({ channel: "visit", topics: ["dv", "work"], firstContact: true }),
    );
    expect(corrected.status).toBe(200);
    expect(corrected.json).toMatchObject({ channel: "visit", firstContact: true });
    expect(corrected.json.correctedAt).not.toBeNull();
    const after = await report();
    expect(after.consultations).toBe(before.consultations);
    expect(after.newReturning).toEqual({ new: 2, returning: 1, unknown: 0 });
    expect(after.byChannel.find((c) => c.channel === "visit")?.consultations).toBe(1);
    expect(after.byChannel.find((c) => c.channel === "phone")?.consultations).toBe(2);

    const audit = await s.db.prisma.auditEntry.findFirstOrThrow({
      where: { action: "correct-entry" },
    });
    expect(audit.detail).toEqual({
      entryId: target.id,
      channel: "visit",
      regionId: "seimo",
      changed: ["channel", "topics", "firstContact"],
    });

    // Not hers: another counsellor 403; another region's supervisor 404; bad input 400.
    expect((await west2.call("PATCH", `/api/v1/stats/entries/${target.id}`, entry())).status).toBe(
      403,
    );
    expect((await svEast.call("PATCH", `/api/v1/stats/entries/${target.id}`, entry())).status).toBe(
      404,
    );
    const bad = await west.call(
      "PATCH",
      `/api/v1/stats/entries/${target.id}`,
      entry({ riskLevel: "extreme" }),
    );
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ code: "INVALID_INPUT" });
    expect(
      (await west.call("PATCH", `/api/v1/stats/entries/${target.id}`, entry({ regionId: "tomo" })))
        .status,
    ).toBe(403);
    expect((await report()).newReturning).toEqual(after.newReturning);
  });

  it("deletes an entry (soft): it leaves the report and the list, the row and the audit stay", async () => {
    const [target] = (await list(west)).filter((e) => e.channel === "phone");
    if (!target) throw new Error("no entry");
    const before = await report();
    expect((await west2.call("DELETE", `/api/v1/stats/entries/${target.id}`)).status).toBe(403);
    const removed = await svWest.call("DELETE", `/api/v1/stats/entries/${target.id}`);
    expect(removed.status).toBe(204);
    const after = await report();
    expect(after.consultations).toBe(before.consultations - 1);
    expect(after.byChannel.find((c) => c.channel === "phone")?.consultations).toBe(1);
    expect((await list(west)).map((e) => e.id)).not.toContain(target.id);
    const row = await s.db.prisma.consultationEntry.findUniqueOrThrow({ where: { id: target.id } });
    expect(row.deletedAt).not.toBeNull();
    const audit = await s.db.prisma.auditEntry.findFirstOrThrow({
      where: { action: "delete-entry" },
    });
    expect(audit.detail).toEqual({ entryId: target.id, channel: "phone", regionId: "seimo" });
    // Deleted is gone for good: neither corrected nor deleted again.
    expect((await svWest.call("DELETE", `/api/v1/stats/entries/${target.id}`)).status).toBe(404);
    expect((await west.call("PATCH", `/api/v1/stats/entries/${target.id}`, entry())).status).toBe(
      404,
    );
    expect((await svWest.call("DELETE", "/api/v1/stats/entries/not-a-uuid")).status).toBe(404);
  });
});
