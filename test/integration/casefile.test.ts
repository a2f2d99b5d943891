import { randomUUID } from "node:crypto";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { startConsoleOnClock, type ConsoleOnClock } from "../support/console-on-clock";
import { jst, statsHistory } from "../support/stats-history";

interface Item {
  type: "conversation" | "entry" | "task";
  id: string;
  at: string;
  regionId: string | null;
  fromTaskId?: string | null;
  linkedBy?: string | null;
  task?: Task;
}
interface CaseFile {
  file: { kind: string; pseudonym: string | null; caseRef: string | null };
  items: Item[];
  elsewhere: number;
}
interface Task {
  id: string;
  kind: string;
  appointment: { day: string; time: string | null } | null;
  partner: { id: string; name: string } | null;
  pseudonym: string | null;
  caseRef: string | null;
  doneEntryId: string | null;
  outcome: string | null;
}
interface Outreach {
  kind: string;
  planned: number;
  done: number;
  notReached: number;
  declined: number;
  notNeeded: number;
  open: number;
}
interface Figures {
  consultations: number;
  people: number;
  byChannel: { channel: string; consultations: number; people: number }[];
  outreach: { rows: Outreach[] };
  tables: { sheet: string; rows: unknown[][] }[];
}

/** Fiscal year 2098: far enough ahead that every due day of these tests is still to come. */
const FY = "fiscalYear=2098";

/**
 * A woman's case file across channels (src/casefile/): her LINE conversations, manual entries and
 * tasks, scoped by region; entries linked and unlinked with a reason (実数 follows); tasks for an
 * entry or her file, 訪問 and 同行 with their appointment and partner, closed as done once.
 */
describe("case files: her timeline, linked entries, 訪問 and 同行", () => {
  let app: ConsoleOnClock;
  let west: ConsoleClient;
  let west2: ConsoleClient;
  let east: ConsoleClient;
  let svAll: ConsoleClient;
  const ids = {
    her: "",
    herPseudonym: "",
    other: "",
    otherPseudonym: "",
    convWest: "",
    convEast: "",
    e1: "",
    caseA: "",
    caseB: "",
    loose: "",
    partner: "",
    archived: "",
  };

  beforeAll(async () => {
    app = await startConsoleOnClock(() => Date.now());
    const prisma = app.db.prisma;
    await account(prisma, "cf-west", "counsellor", "seimo");
    await account(prisma, "cf-west2", "counsellor", "seimo");
    await account(prisma, "cf-east", "counsellor", "tomo");
    await account(prisma, "cf-all", "supervisor", null);
    const signIn = (login: string) => ConsoleClient.signedIn(app.url, login, PASSWORD);
    west = await signIn("cf-west");
    west2 = await signIn("cf-west2");
    east = await signIn("cf-east");
    svAll = await signIn("cf-all");
    const westId = (await prisma.counsellor.findUniqueOrThrow({ where: { loginName: "cf-west" } }))
      .id;
    const h = statsHistory(prisma);
    const her = await h.person();
    const other = await h.person();
    Object.assign(ids, {
      her: her.id,
      herPseudonym: her.pseudonym,
      other: other.id,
      otherPseudonym: other.pseudonym,
    });
    // She wrote in 西毛, then (she moved) in 東毛; another woman only in 東毛.
    ids.convWest = await h.line({
      person: her.id,
      start: "2098-05-01 10:00",
      waiting: "2098-05-01 10:01",
      answered: "2098-05-01 10:05",
      region: "seimo",
      topics: ["dv"],
      ageBand: "30s",
    });
    ids.convEast = await h.line({
      person: her.id,
      start: "2098-06-01 10:00",
      waiting: "2098-06-01 10:01",
      answered: "2098-06-01 10:05",
      region: "tomo",
    });
    await h.line({
      person: other.id,
      start: "2098-05-02 10:00",
      waiting: "2098-05-02 10:01",
      answered: "2098-05-02 10:05",
      region: "tomo",
    });
    const phone = (start: string, extra: { caseRef?: string } = {}) =>
      h.entry({ channel: "phone", start, region: "seimo", counsellor: westId, ...extra });
    ids.e1 = await phone("2098-05-10 14:00");
    // A woman known by phone only: two calls with the NPO's case number.
    ids.caseA = await phone("2098-05-12 09:00", { caseRef: "K-7" });
    ids.caseB = await phone("2098-05-20 09:00", { caseRef: "K-7" });
    ids.loose = await phone("2098-05-25 09:00");
    ids.partner = (
      await prisma.partner.create({
        data: { name: "前橋市役所 福祉課", kind: "public", regions: ["all"], topics: [] },
      })
    ).id;
    ids.archived = (
      await prisma.partner.create({
        data: {
          name: "閉じた窓口",
          kind: "public",
          regions: ["all"],
          topics: [],
          archivedAt: new Date(),
        },
      })
    ).id;
  }, 60_000);
  afterAll(async () => app.stop());

  const report = async (q = FY) => {
    const res = await svAll.call("GET", `/api/v1/stats/report?${q}`);
    expect(res.status).toBe(200);
    return res.json as unknown as Figures;
  };
  const fileOf = async (who: ConsoleClient, path: string) => {
    const res = await who.call("GET", `/api/v1/casefiles/${path}`);
    return { status: res.status, file: res.json as unknown as CaseFile };
  };
  const channel = (f: Figures, c: string) =>
    f.byChannel.find((x) => x.channel === c)?.consultations ?? 0;

  it("links a phone entry to her file with a reason: she counts once in 実数; unlinking undoes it", async () => {
    const before = await report();
    const link = (body: Record<string, unknown>, who = west) =>
      who.call("POST", `/api/v1/stats/entries/${ids.e1}/link`, body);
    // Bad input changes nothing: no reason, a reason not in the list, both targets, nobody.
    expect((await link({ personPseudonym: ids.herPseudonym })).status).toBe(400);
    expect((await link({ personPseudonym: ids.herPseudonym, reason: "hunch" })).status).toBe(400);
    const both = await link({
      personPseudonym: ids.herPseudonym,
      caseRef: "K-7",
      reason: "she-said",
    });
    expect(both.status).toBe(400);
    // A woman only another region knows answers as a pseudonym of nobody.
    const theirs = await link({ personPseudonym: ids.otherPseudonym, reason: "she-said" });
    const nobody = await link({ personPseudonym: "ナイヒト-000000", reason: "she-said" });
    expect([theirs.status, theirs.json.code]).toEqual([400, "UNKNOWN_PERSON"]);
    expect([nobody.status, nobody.json.code]).toEqual([400, "UNKNOWN_PERSON"]);
    // Another counsellor of the region may not change west's entry.
    expect(
      (await link({ personPseudonym: ids.herPseudonym, reason: "she-said" }, west2)).status,
    ).toBe(403);
    expect(await report()).toMatchObject({ people: before.people });

    const linked = await link({ personPseudonym: ids.herPseudonym, reason: "she-said" });
    expect(linked.status).toBe(200);
    expect(linked.json).toMatchObject({ personPseudonym: ids.herPseudonym });
    const after = await report();
    expect([after.consultations, after.people]).toEqual([before.consultations, before.people - 1]);
    // Linked already: unlink first.
    const again = await link({ caseRef: "K-7", reason: "same-contact" });
    expect([again.status, again.json.code]).toEqual([409, "ENTRY_LINKED"]);

    const unlink = (reason: string) =>
      west.call("POST", `/api/v1/stats/entries/${ids.e1}/unlink`, { reason });
    expect((await unlink("no-reason-code")).status).toBe(400);
    expect((await unlink("linked-by-mistake")).status).toBe(200);
    expect((await report()).people).toBe(before.people);
    const twice = await unlink("linked-by-mistake");
    expect([twice.status, twice.json.code]).toEqual([409, "ENTRY_NOT_LINKED"]);

    // Linked for good; the audit keeps the reason's code and ids, never her pseudonym.
    expect(
      (await link({ personPseudonym: ids.herPseudonym, reason: "staff-recognised" })).status,
    ).toBe(200);
    const audits = await app.db.prisma.auditEntry.findMany({
      where: { action: { in: ["link-entry", "unlink-entry"] } },
      orderBy: { id: "asc" },
    });
    expect(audits.map((a) => [a.action, (a.detail as { reason: string }).reason])).toEqual([
      ["link-entry", "she-said"],
      ["unlink-entry", "linked-by-mistake"],
      ["link-entry", "staff-recognised"],
    ]);
    expect(JSON.stringify(audits.map((a) => a.detail))).not.toContain(ids.herPseudonym);
    expect(audits[0]?.detail).toMatchObject({ entryId: ids.e1, personId: ids.her });
  });

  it("shows her file newest first, only what the region reaches, and how many elsewhere", async () => {
    const mine = await fileOf(west, `conversation/${ids.convWest}`);
    expect(mine.status).toBe(200);
    expect(mine.file.file).toMatchObject({ kind: "person", pseudonym: ids.herPseudonym });
    expect(mine.file.items.map((i) => [i.type, i.id])).toEqual([
      ["entry", ids.e1],
      ["conversation", ids.convWest],
    ]);
    // Her 東毛 conversation: its number only.
    expect(mine.file.elsewhere).toBe(1);
    expect(JSON.stringify(mine.file)).not.toContain(ids.convEast);
    // From the entry: the same file.
    const viaEntry = await fileOf(west, `entry/${ids.e1}`);
    expect(viaEntry.file.items.map((i) => i.id)).toEqual(mine.file.items.map((i) => i.id));
    // 東毛 sees its own part of her, and that 2 consultations are elsewhere.
    const theirs = await fileOf(east, `conversation/${ids.convEast}`);
    expect(theirs.file.items.map((i) => i.id)).toEqual([ids.convEast]);
    expect(theirs.file.elsewhere).toBe(2);
    expect((await fileOf(east, `conversation/${ids.convWest}`)).status).toBe(404);
    expect((await fileOf(east, `entry/${ids.e1}`)).status).toBe(404);
    // An all-region supervisor sees all of it, newest first.
    const all = await fileOf(svAll, `person/${encodeURIComponent(ids.herPseudonym)}`);
    expect(all.file.items.map((i) => i.id)).toEqual([ids.convEast, ids.e1, ids.convWest]);
    expect(all.file.elsewhere).toBe(0);
    // A pseudonym the region does not know answers as one of nobody.
    const other = await fileOf(west, `person/${encodeURIComponent(ids.otherPseudonym)}`);
    const nobody = await fileOf(west, `person/${encodeURIComponent("ナイヒト-000000")}`);
    expect([other.status, nobody.status]).toEqual([404, 404]);
  });

  it("gives a woman known only by phone a file of her case number", async () => {
    const file = await fileOf(west, "case/seimo/K-7");
    expect(file.status).toBe(200);
    expect(file.file.items.map((i) => i.id)).toEqual([ids.caseB, ids.caseA]);
    expect((await fileOf(west, `entry/${ids.caseA}`)).file.file).toMatchObject({
      kind: "case",
      caseRef: "K-7",
    });
    expect((await fileOf(east, "case/seimo/K-7")).status).toBe(403);
    expect((await fileOf(west, "case/seimo/K-404")).status).toBe(404);
    // A loose entry linked to her case number: one person fewer.
    const before = await report();
    const unknownCase = await west.call("POST", `/api/v1/stats/entries/${ids.loose}/link`, {
      caseRef: "K-404",
      reason: "same-contact",
    });
    expect([unknownCase.status, unknownCase.json.code]).toEqual([400, "UNKNOWN_CASE"]);
    const res = await west.call("POST", `/api/v1/stats/entries/${ids.loose}/link`, {
      caseRef: "K-7",
      reason: "same-contact",
    });
    expect(res.status).toBe(200);
    expect((await report()).people).toBe(before.people - 1);
    expect((await fileOf(west, "case/seimo/K-7")).file.items.map((i) => i.id)).toEqual([
      ids.loose,
      ids.caseB,
      ids.caseA,
    ]);
  });

  it("makes a 同行 with its appointment and partner; an archived or unknown partner is refused", async () => {
    const tasksBefore = await app.db.prisma.followUpTask.count();
    const make = (body: Record<string, unknown>) => west.call("POST", "/api/v1/tasks", body);
    const accompany = {
      kind: "accompany",
      dueOn: "2098-06-10",
      appointmentTime: "10:30",
      personPseudonym: ids.herPseudonym,
    };
    const refusals = [
      [{ ...accompany, partnerId: ids.archived }, "PARTNER_ARCHIVED"],
      [{ ...accompany, partnerId: randomUUID() }, "UNKNOWN_PARTNER"],
      [{ ...accompany, kind: "visit", partnerId: ids.partner }, "NO_PARTNER"],
      [{ ...accompany, kind: "call-back", appointmentTime: "10:30" }, "NO_APPOINTMENT"],
      [{ ...accompany, appointmentTime: "25:00" }, "INVALID_INPUT"],
      [{ ...accompany, dueOn: undefined }, "INVALID_INPUT"],
      [{ ...accompany, entryId: ids.caseA }, "TASK_FOLLOWS_ONE"],
      [{ ...accompany, personPseudonym: ids.otherPseudonym }, "UNKNOWN_PERSON"],
    ] as const;
    for (const [body, code] of refusals) {
      const res = await make(body);
      expect([res.status, res.json.code]).toEqual([400, code]);
    }
    expect(await app.db.prisma.followUpTask.count()).toBe(tasksBefore);

    const made = await make({ ...accompany, partnerId: ids.partner });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({
      kind: "accompany",
      pseudonym: ids.herPseudonym,
      appointment: { day: "2098-06-10", time: "10:30" },
      partner: { id: ids.partner, name: "前橋市役所 福祉課" },
      outcome: null,
    });
    // A 訪問 for the woman known by phone, a call-back after an entry.
    const visit = await make({ kind: "visit", dueOn: "2098-06-20", caseRef: "K-7" });
    expect(visit.status).toBe(201);
    expect(visit.json).toMatchObject({ caseRef: "K-7", appointment: { time: null } });
    const callBack = await make({ kind: "call-back", dueOn: "2098-06-21", entryId: ids.caseA });
    expect(callBack.status).toBe(201);
    const caseFile = (await fileOf(west, "case/seimo/K-7")).file;
    expect(caseFile.items.filter((i) => i.type === "task").map((i) => i.id)).toEqual([
      callBack.json.id,
      visit.json.id,
    ]);
    const herFile = (await fileOf(west, `conversation/${ids.convWest}`)).file;
    expect(herFile.items[0]).toMatchObject({
      type: "task",
      id: made.json.id,
      at: "2098-06-10T01:30:00.000Z",
    });
  });

  it("records a 同行 done as her accompaniment consultation, once, and the report counts 訪問 and 同行", async () => {
    const tasks = await app.db.prisma.followUpTask.findMany({
      where: { kind: { in: ["accompany", "visit"] } },
    });
    const accompany = tasks.find((t) => t.kind === "accompany");
    const visit = tasks.find((t) => t.kind === "visit");
    if (!accompany || !visit) throw new Error("tasks of the previous test");
    const before = await report();
    expect(before.outreach.rows).toEqual([
      expect.objectContaining({ kind: "visit", planned: 1, done: 0, open: 1 }),
      expect.objectContaining({ kind: "accompany", planned: 1, done: 0, open: 1 }),
    ]);

    const close = (id: string, outcome: string) =>
      west.call("POST", `/api/v1/tasks/${id}/close`, { outcome });
    const done = await close(accompany.id, "done");
    expect(done.status).toBe(200);
    const doneEntryId = (done.json as unknown as Task).doneEntryId;
    expect(doneEntryId).toEqual(expect.any(String));
    const after = await report();
    // One more consultation, on 同行, of a woman already counted: 実数 unchanged.
    expect(after.consultations).toBe(before.consultations + 1);
    expect(channel(after, "accompany")).toBe(channel(before, "accompany") + 1);
    expect(after.people).toBe(before.people);
    const entry = await app.db.prisma.consultationEntry.findUniqueOrThrow({
      where: { id: doneEntryId ?? "" },
    });
    expect(entry).toMatchObject({
      channel: "accompany",
      personId: ids.her,
      regionId: "seimo",
      startedAt: jst("2098-06-10 10:30"),
      topics: [],
    });
    // Closed twice: 409, and nothing is recorded again.
    const twice = await close(accompany.id, "done");
    expect([twice.status, twice.json.code]).toEqual([409, "TASK_CLOSED"]);
    expect((await report()).consultations).toBe(after.consultations);
    expect(await app.db.prisma.consultationEntry.count({ where: { channel: "accompany" } })).toBe(
      1,
    );

    // A 訪問 she could not be reached for: no consultation, counted under its outcome.
    expect((await close(visit.id, "not-reached")).status).toBe(200);
    const last = await report();
    expect(last.consultations).toBe(after.consultations);
    expect(last.outreach.rows).toEqual([
      {
        kind: "visit",
        label: "訪問",
        planned: 1,
        done: 0,
        notReached: 1,
        declined: 0,
        notNeeded: 0,
        open: 0,
      },
      {
        kind: "accompany",
        label: "同行",
        planned: 1,
        done: 1,
        notReached: 0,
        declined: 0,
        notNeeded: 0,
        open: 0,
      },
    ]);
    // The table the page, the CSV and the workbook show has the same figures.
    const table = last.tables.find((t) => t.sheet === "訪問・同行");
    expect(table?.rows).toEqual([
      ["訪問", 1, 0, 1, 0, 0, 0],
      ["同行", 1, 1, 0, 0, 0, 0],
    ]);
    // Another region's report has none of them; her file shows the recorded consultation.
    const tomo = await report(`${FY}&region=tomo`);
    expect(tomo.outreach.rows.map((r) => r.planned)).toEqual([0, 0]);
    const file = (await fileOf(west, `conversation/${ids.convWest}`)).file;
    expect(file.items.find((i) => i.id === doneEntryId)).toMatchObject({
      type: "entry",
      fromTaskId: accompany.id,
    });
  });

  it("records a 訪問 done for a woman known by phone under her case number", async () => {
    const before = await report();
    const made = await west.call("POST", "/api/v1/tasks", {
      kind: "visit",
      dueOn: "2098-07-01",
      appointmentTime: "13:00",
      caseRef: "K-7",
    });
    expect(made.status).toBe(201);
    const closed = await west.call("POST", `/api/v1/tasks/${String(made.json.id)}/close`, {
      outcome: "done",
    });
    expect(closed.status).toBe(200);
    const after = await report();
    expect(after.consultations).toBe(before.consultations + 1);
    expect(channel(after, "outreach")).toBe(channel(before, "outreach") + 1);
    // Her case number's person: 実数 unchanged.
    expect(after.people).toBe(before.people);
    const file = (await fileOf(west, "case/seimo/K-7")).file;
    expect(file.items.filter((i) => i.type === "entry").length).toBe(4);
  });
});
