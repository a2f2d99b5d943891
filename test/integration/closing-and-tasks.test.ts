import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { eventually } from "../support/eventually";
import { handOff } from "../support/handoff";
import { latestConversationOf } from "../support/her-conversation";
import { gunmaOpenAroundTheClock } from "../support/presets";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { jst } from "../support/stats-history";

interface View {
  conversation: {
    status: string;
    followUps: string[];
    closeReason: string | null;
    summary: string | null;
    durationMinutes: number;
    lastMessageUnanswered: boolean;
    pseudonym: string;
  };
  messages: {
    seq: number;
    direction: string;
    author: string;
    text: string | null;
    kind: string;
    label: string | null;
  }[];
  tasks: { kind: string; dueOn: string; owner: { displayName: string } }[];
}

interface Task {
  id: string;
  kind: string;
  dueOn: string;
  regionId: string;
  owner: { id: string; displayName: string };
  pseudonym: string | null;
  outcome: string | null;
}

const CODING = { topics: ["poverty"], referrals: [], followUps: [], riskLevel: "none" };
const SUMMARY = "家を出るか迷っている。三日後に電話で様子を聞く約束";

/**
 * Closing a consultation (issue #17 point 3) and the task list (issue #18 point 1), through the
 * API on real PostgreSQL, Redis and BullMQ, with LINE simulated; the clock is the test's.
 */
jest.setTimeout(120_000);
describe("closing a consultation and the task list", () => {
  let s: ServiceUnderTest;
  let clock = jst("2026-12-01 19:00");
  let west: ConsoleClient; // 西毛 counsellor
  let west2: ConsoleClient; // another 西毛 counsellor
  let east: ConsoleClient; // 東毛 counsellor
  let sup: ConsoleClient; // supervisor of every region
  let admin: ConsoleClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    s = await startServiceWithSimulator({
      preset: gunmaOpenAroundTheClock(),
      simulator: { now: () => clock.getTime() },
      now: () => clock,
    });
    for (const [name, role, region] of [
      ["west", "counsellor", "seimo"],
      ["west2", "counsellor", "seimo"],
      ["east", "counsellor", "tomo"],
      ["sup", "supervisor", null],
      ["admin", "admin", null],
    ] as const) {
      await account(s.db.prisma, name, role, region);
      ids[name] = (
        await s.db.prisma.counsellor.findUniqueOrThrow({ where: { loginName: name } })
      ).id;
    }
    const signIn = (name: string) => ConsoleClient.signedIn(s.url, name, PASSWORD);
    [west, west2, east, sup, admin] = await Promise.all([
      signIn("west"),
      signIn("west2"),
      signIn("east"),
      signIn("sup"),
      signIn("admin"),
    ]);
  }, 60_000);
  afterAll(async () => s.stop());

  const view = async (id: string) =>
    (await west.get(`/api/v1/conversations/${id}`)).json as unknown as View;
  async function inChatWithWest(her: SimulatedPerson): Promise<string> {
    await handOff(her, "高崎");
    const { id } = await latestConversationOf(s.db.prisma, her.userId);
    expect((await west.post(`/api/v1/conversations/${id}/claim`)).status).toBe(200);
    return id;
  }
  const tasks = async (who: ConsoleClient, query = "scope=region&status=open") =>
    (await who.get(`/api/v1/tasks?${query}`)).json as unknown as Task[];

  it("keeps the transcript in the order it was recorded and shows her taps as the labels she saw", async () => {
    clock = jst("2026-12-01 19:00");
    const her = s.sim.person();
    const id = await inChatWithWest(her);
    const v = await view(id);
    const seqs = v.messages.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    // The bot's messages, in the transcript's order, are what her phone got, in its order
    // (several of one reply share one sentAt: only the sequence tells them apart).
    const bot = v.messages
      .filter((m) => m.author === "bot" && m.kind === "text")
      .map((m) => m.text);
    const received = her.received().map((m) => m.text);
    expect(bot).toEqual(received);
    const taps = v.messages.filter((m) => m.kind === "postback");
    expect(taps.map((m) => m.label)).toEqual([
      "はい、大丈夫",
      "お金・住まい・食べもの",
      "これで全部",
      "答えずに進む",
      "答えずに進む",
      "答えずに進む",
      "答えずに進む",
      "答えずに進む",
    ]);
    expect(taps.every((m) => m.text?.startsWith("a="))).toBe(true);
  });

  it("warns before closing over her unanswered message, and closes with a confirmation", async () => {
    clock = jst("2026-12-01 19:10");
    const her = s.sim.person();
    const id = await inChatWithWest(her);
    await her.say("家を出たほうがいいのか迷っています");
    expect((await view(id)).conversation.lastMessageUnanswered).toBe(true);

    const refused = await west.post(`/api/v1/conversations/${id}/close`, CODING);
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe("LAST_MESSAGE_UNANSWERED");
    expect((await view(id)).conversation.status).toBe("active");

    const closed = await west.post(`/api/v1/conversations/${id}/close`, {
      ...CODING,
      endReason: "no-reply",
      confirmUnanswered: true,
    });
    expect(closed.status).toBe(200);
    const audit = await s.db.prisma.auditEntry.findFirstOrThrow({
      where: { conversationId: id, action: "close" },
    });
    expect(audit.detail).toMatchObject({ unansweredConfirmed: true, closeReason: "no-reply" });
  });

  it("sends a closing message that answers her, seals the summary, computes the duration and makes the follow-up a task", async () => {
    clock = jst("2026-12-01 20:00");
    const her = s.sim.person();
    const id = await inChatWithWest(her);
    await her.say("夜は家族がいるので短くしか話せません");
    expect(
      (await west.post(`/api/v1/conversations/${id}/messages`, { text: "大丈夫です。" })).status,
    ).toBe(201);
    await her.say("家を出たほうがいいのか迷っています");
    clock = jst("2026-12-01 20:25");

    // A closing message whose first line her lock screen would show is refused (nothing done).
    const unsafe = await west.post(`/api/v1/conversations/${id}/close`, {
      ...CODING,
      closingMessage: "DVの窓口をお伝えします\n今日はありがとう",
    });
    expect(unsafe.status).toBe(422);
    expect(unsafe.json.code).toBe("UNSAFE_FIRST_LINE");
    // A follow-up on a day already past is refused, and nothing is sent or closed.
    const past = await west.post(`/api/v1/conversations/${id}/close`, {
      ...CODING,
      closingMessage: "今日はありがとうございました。",
      followUp: { kind: "call-back", dueOn: "2026-11-30" },
    });
    expect(past.status).toBe(400);
    expect(past.json.code).toBe("DUE_DATE_PAST");
    expect((await view(id)).conversation.status).toBe("active");
    expect(await s.db.prisma.followUpTask.count({ where: { conversationId: id } })).toBe(0);

    const closing = "今日はありがとうございました。\nお約束した日に、こちらからご連絡しますね。";
    const ok = await west.post(`/api/v1/conversations/${id}/close`, {
      ...CODING,
      endReason: "follow-up",
      summary: SUMMARY,
      closingMessage: closing,
      followUp: { kind: "visit", dueOn: "2026-12-04", ownerId: ids.west2 },
    });
    expect(ok.status).toBe(200);
    await eventually(
      () => Promise.resolve(her.received().map((m) => m.text)),
      (texts) => texts.includes(closing),
    );
    const v = await view(id);
    expect(v.conversation).toMatchObject({
      status: "closed",
      closeReason: "follow-up",
      summary: SUMMARY,
      durationMinutes: 25,
      lastMessageUnanswered: false,
    });
    // The visit is also the consultation's follow-up code (the report counts it).
    expect(v.conversation.followUps).toEqual(["visit"]);
    expect(v.tasks.map((t) => [t.kind, t.dueOn, t.owner.displayName])).toEqual([
      ["visit", "2026-12-04", "相談員west2"],
    ]);
    // The summary is sealed at rest, and never in the audit.
    const row = await s.db.prisma.conversation.findUniqueOrThrow({ where: { id } });
    expect(Buffer.from(row.summaryEnc ?? []).includes(Buffer.from("迷っている"))).toBe(false);
    const audit = await s.db.prisma.$queryRaw<{ all: string }[]>`
      SELECT string_agg(a::text, E'\n') AS "all" FROM audit_entry a`;
    expect(audit[0]?.all).not.toContain("迷っている");
    expect(audit[0]?.all).toContain("task-create");

    // The owner finds it among her tasks; the region's list has it; 東毛 does not see it.
    const mine = await tasks(west2, "scope=mine&status=open");
    expect(mine.map((t) => [t.kind, t.dueOn, t.pseudonym])).toEqual([
      ["visit", "2026-12-04", v.conversation.pseudonym],
    ]);
    expect((await tasks(west)).some((t) => t.id === mine[0]?.id)).toBe(true);
    expect(await tasks(east)).toEqual([]);
    expect((await tasks(sup)).some((t) => t.id === mine[0]?.id)).toBe(true);
    const taskId = mine[0]?.id ?? "";
    const outside = await east.post(`/api/v1/tasks/${taskId}/close`, { outcome: "done" });
    expect(outside.status).toBe(404);

    // Closed with its outcome, once.
    const done = await west2.post(`/api/v1/tasks/${taskId}/close`, { outcome: "not-reached" });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ outcome: "not-reached", closedByName: "相談員west2" });
    const again = await west.post(`/api/v1/tasks/${taskId}/close`, { outcome: "done" });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe("TASK_CLOSED");
    expect((await tasks(west2, "scope=mine&status=open")).length).toBe(0);
    expect((await tasks(west2, "scope=mine&status=closed")).map((t) => t.outcome)).toEqual([
      "not-reached",
    ]);

    // Her disclosure leaves the summary out, as it does the notes (the NPO's working record).
    const disclosure = await admin.get(
      `/api/v1/people/${encodeURIComponent(v.conversation.pseudonym)}/disclosure`,
    );
    expect(disclosure.status).toBe(200);
    expect(JSON.stringify(disclosure.json)).toContain(closing.split("\n")[0] ?? "");
    expect(JSON.stringify(disclosure.json)).not.toContain("迷っている");

    // Her erasure takes the summary with her words; the coding and the task stay.
    const erased = await admin.post(
      `/api/v1/people/${encodeURIComponent(v.conversation.pseudonym)}/erase`,
      {
        confirm: v.conversation.pseudonym,
      },
    );
    expect(erased.status).toBe(200);
    const after = (await sup.get(`/api/v1/conversations/${id}`)).json as unknown as View;
    expect(after.conversation.summary).toBeNull();
    expect(after.conversation.closeReason).toBe("follow-up");
    expect(after.conversation.durationMinutes).toBe(25);
    expect(await s.db.prisma.followUpTask.count({ where: { conversationId: id } })).toBe(1);
  });

  it("refuses a task without a due date, on a past day, or for someone of another region, and writes nothing", async () => {
    clock = jst("2026-12-01 21:00");
    const before = await s.db.prisma.followUpTask.count();
    const noDate = await west.post("/api/v1/tasks", { kind: "call-back" });
    expect(noDate.status).toBe(400);
    expect(noDate.json.code).toBe("INVALID_INPUT");
    const badDay = await west.post("/api/v1/tasks", { kind: "call-back", dueOn: "2026-02-30" });
    expect(badDay.status).toBe(400);
    const badKind = await west.post("/api/v1/tasks", { kind: "lunch", dueOn: "2026-12-03" });
    expect(badKind.status).toBe(400);
    const pastDay = await west.post("/api/v1/tasks", { kind: "call-back", dueOn: "2026-11-30" });
    expect(pastDay.json.code).toBe("DUE_DATE_PAST");
    const otherRegion = await west.post("/api/v1/tasks", {
      kind: "accompany",
      dueOn: "2026-12-03",
      ownerId: ids.east,
    });
    expect(otherRegion.status).toBe(400);
    expect(otherRegion.json.code).toBe("BAD_OWNER");
    const notMine = await west.post("/api/v1/tasks", {
      kind: "accompany",
      dueOn: "2026-12-03",
      regionId: "tomo",
    });
    expect(notMine.status).toBe(403);
    expect(await s.db.prisma.followUpTask.count()).toBe(before);

    // Today (Tokyo) is fine; a global supervisor names the region.
    const today = await west.post("/api/v1/tasks", { kind: "accompany", dueOn: "2026-12-01" });
    expect(today.status).toBe(201);
    expect(today.json).toMatchObject({
      regionId: "seimo",
      owner: { id: ids.west },
      overdue: false,
    });
    const noRegion = await sup.post("/api/v1/tasks", { kind: "other", dueOn: "2026-12-02" });
    expect(noRegion.json.code).toBe("TASK_REGION_REQUIRED");
    const forEast = await sup.post("/api/v1/tasks", {
      kind: "other",
      dueOn: "2026-12-02",
      regionId: "tomo",
      ownerId: ids.east,
    });
    expect(forEast.status).toBe(201);
    expect((await tasks(east, "scope=mine&status=open")).map((t) => t.id)).toEqual([
      forEast.json.id,
    ]);
    // The next day, the first one is overdue.
    clock = jst("2026-12-02 09:00");
    const overdue = (await tasks(west, "scope=mine&status=open")).find(
      (t) => t.id === today.json.id,
    ) as unknown as { overdue: boolean };
    expect(overdue.overdue).toBe(true);
  });
});
