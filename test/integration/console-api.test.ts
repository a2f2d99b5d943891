import { randomUUID } from "node:crypto";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { eventually } from "../support/eventually";
import { handOff } from "../support/handoff";
import { gunmaOpenAroundTheClock, withRoomForEveryChat } from "../support/presets";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { latestConversationOf } from "../support/her-conversation";
import { messagesWithText } from "../support/sealed";

interface QueueItem {
  id: string;
  riskLevel: string;
  regionId: string;
  preview: string;
  overflow: boolean;
}
interface Queue {
  waiting: QueueItem[];
  mine: QueueItem[];
  others: QueueItem[];
}

describe("counsellor console API", () => {
  let s: ServiceUnderTest;
  let west: ConsoleClient; // 西毛
  let west2: ConsoleClient;
  let east: ConsoleClient; // 東毛
  let sup: ConsoleClient; // supervisor, all regions
  let admin: ConsoleClient;

  beforeAll(async () => {
    // Counsellors on duty whatever the hour the test runs at (queue-timers.test.ts covers the
    // opening hours).
    s = await startServiceWithSimulator({
      simulator: { replyTokenTtlMs: 0 },
      preset: withRoomForEveryChat(gunmaOpenAroundTheClock()),
    });
    await account(s.db.prisma, "west", "counsellor", "seimo");
    await account(s.db.prisma, "west2", "counsellor", "seimo");
    await account(s.db.prisma, "east", "counsellor", "tomo");
    await account(s.db.prisma, "sup", "supervisor", null);
    await account(s.db.prisma, "admin", "admin", null);
    const signIn = (name: string) => ConsoleClient.signedIn(s.url, name, PASSWORD);
    west = await signIn("west");
    west2 = await signIn("west2");
    east = await signIn("east");
    sup = await signIn("sup");
    admin = await signIn("admin");
  }, 60_000);
  afterAll(async () => s.stop());

  const conversationOf = (userId: string) => latestConversationOf(s.db.prisma, userId);
  const queueOf = async (c: ConsoleClient) =>
    (await c.get("/api/v1/queue")).json as unknown as Queue;
  /** A woman of `town` handed over to a counsellor, and west (西毛) has taken her chat. */
  const takenByWest = async (town: string) => {
    const her = s.sim.person();
    await handOff(her, town);
    const c = await conversationOf(her.userId);
    expect((await west.post(`/api/v1/conversations/${c.id}/claim`)).status).toBe(200);
    return { her, c };
  };

  it("refuses wrong passwords, locks after repeated failures, and requires the CSRF header", async () => {
    const stranger = new ConsoleClient(s.url);
    expect((await stranger.get("/api/v1/queue")).status).toBe(401);
    await account(s.db.prisma, "lockme", "counsellor", "seimo");
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await stranger.post("/api/v1/session", {
            loginName: "lockme",
            password: "wrong-password!",
          })
        ).status,
      ).toBe(401);
    }
    const locked = await stranger.post("/api/v1/session", {
      loginName: "lockme",
      password: PASSWORD,
    });
    expect(locked).toMatchObject({ status: 429, json: { code: "TOO_MANY_ATTEMPTS" } });
    const noCsrf = await west.call(
      "PATCH",
      "/api/v1/me",
      { displayName: "みどり" },
      { csrf: false },
    );
    expect(noCsrf).toMatchObject({ status: 403, json: { code: "CSRF_INVALID" } });
    const stored = await s.db.prisma.counsellor.findUniqueOrThrow({
      where: { loginName: "lockme" },
    });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("serves an OpenAPI document describing the console API", async () => {
    const doc = (await (await fetch(`${s.url}/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/queue",
        "/api/v1/conversations/{id}/claim",
        "/api/v1/conversations/{id}/close",
      ]),
    );
  });

  it("queues her in her region only, most urgent first, and keeps other regions out", async () => {
    const calm = s.sim.person();
    const urgent = s.sim.person();
    await handOff(calm, "高崎");
    await handOff(urgent, "藤岡", { risky: true });
    const [calmC, urgentC] = [
      await conversationOf(calm.userId),
      await conversationOf(urgent.userId),
    ];
    expect(calmC).toMatchObject({ status: "waiting", regionId: "seimo" });
    expect(urgentC).toMatchObject({ status: "waiting", regionId: "seimo", riskLevel: "high" });

    const queue = await queueOf(west);
    const ids = queue.waiting.map((q) => q.id);
    expect(ids.indexOf(urgentC.id)).toBeLessThan(ids.indexOf(calmC.id));
    expect(queue.waiting[0]).toMatchObject({ id: urgentC.id, riskLevel: "high" });
    expect((await queueOf(east)).waiting.map((q) => q.id)).not.toContain(calmC.id);
    expect((await east.get(`/api/v1/conversations/${calmC.id}`)).status).toBe(404);
    expect((await east.post(`/api/v1/conversations/${calmC.id}/claim`)).status).toBe(404);
    expect((await queueOf(sup)).waiting.map((q) => q.id)).toEqual(
      expect.arrayContaining([calmC.id, urgentC.id]),
    );
    // She was told where she stands, in words safe on a lock screen.
    expect(urgent.received().some((m) => /順番|お返事します/.test(m.text ?? ""))).toBe(true);
  }, 60_000);

  it("lets exactly one of two counsellors take a conversation claimed at the same moment", async () => {
    const her = s.sim.person();
    await handOff(her, "安中");
    const c = await conversationOf(her.userId);
    const results = await Promise.all([
      west.post(`/api/v1/conversations/${c.id}/claim`),
      west2.post(`/api/v1/conversations/${c.id}/claim`),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)?.json).toMatchObject({ code: "ALREADY_TAKEN" });
    const winner = results[0]?.status === 200 ? "west" : "west2";
    const stored = await s.db.prisma.conversation.findUniqueOrThrow({
      where: { id: c.id },
      include: { assignedTo: true },
    });
    expect(stored).toMatchObject({ status: "active", assignedTo: { loginName: winner } });
  }, 60_000);

  it("sends a counsellor's answer to her phone under the counsellor's pseudonym, and 既読 once read", async () => {
    const her = s.sim.person();
    await handOff(her, "富岡");
    await her.say("夜になると不安です");
    const c = await conversationOf(her.userId);
    const lastHers = await eventually(
      () =>
        messagesWithText(s.db.prisma, { conversationId: c.id }, "夜になると不安です").then(
          (m) => m[0] ?? null,
        ),
      (m) => m !== null,
    );
    expect(s.sim.isRead(lastHers?.lineMessageId ?? "")).toBe(false);
    expect((await west.post(`/api/v1/conversations/${c.id}/claim`)).status).toBe(200);
    await eventually(
      () => Promise.resolve(s.sim.isRead(lastHers?.lineMessageId ?? "")),
      (read) => read,
    );
    const before = her.received().length;
    const sent = await west.post(`/api/v1/conversations/${c.id}/messages`, {
      text: "こんにちは。お話を聞かせてください。",
    });
    expect(sent).toMatchObject({
      status: 201,
      json: { author: "counsellor", text: "こんにちは。お話を聞かせてください。" },
    });
    const answer = await eventually(
      () => Promise.resolve(her.received().slice(before)),
      (m) => m.length === 1,
    );
    expect(answer[0]?.text).toBe("こんにちは。お話を聞かせてください。");
    expect((answer[0]?.message as { sender?: { name?: string } }).sender?.name).toBe("相談員west");
    // Her console shows the conversation in the order it happened, the answer last and signed,
    // and the send's own answer is that same message.
    const { messages } = (await west.get(`/api/v1/conversations/${c.id}`)).json as unknown as {
      messages: { id: string; text: string | null; author: string; authorName: string | null }[];
    };
    const texts = messages.map((m) => m.text);
    expect(texts.indexOf("夜になると不安です")).toBeGreaterThan(-1);
    expect(texts.indexOf("夜になると不安です")).toBeLessThan(texts.length - 1);
    expect(messages.at(-1)).toMatchObject({
      author: "counsellor",
      authorName: "相談員west",
      text: "こんにちは。お話を聞かせてください。",
    });
    expect(messages.at(-1)?.id).toBe((sent.json as unknown as { id: string }).id);
    // West's colleague cannot answer someone else's chat.
    expect((await west2.post(`/api/v1/conversations/${c.id}/messages`, { text: "x" })).status).toBe(
      403,
    );
  }, 60_000);

  it("tells her phone 既読 from the console's process as she is read, through the queue only when LINE did not take it", async () => {
    const { her, c } = await takenByWest("富岡");
    const readBy = async (text: string) => {
      const [stored] = await eventually(
        () => messagesWithText(s.db.prisma, { conversationId: c.id }, text),
        (m) => m.length === 1,
      );
      const before = new Date();
      expect((await west.get(`/api/v1/conversations/${c.id}`)).status).toBe(200);
      await eventually(
        () => Promise.resolve(s.sim.isRead(stored?.lineMessageId ?? "")),
        (read) => read,
      );
      const receipt = await s.db.prisma.jobOutbox.findFirst({
        where: {
          name: "mark-read",
          createdAt: { gte: before },
          payload: { path: ["conversationId"], equals: c.id },
        },
      });
      if (!receipt) throw new Error("no read receipt was written");
      return receipt;
    };
    // LINE takes it: done at once, and the queue never had the job.
    await her.say("一つ目です");
    const atOnce = await readBy("一つ目です");
    expect(atOnce.state).toBe("done");
    expect(await s.jobState(atOnce.key)).toBe("unknown");
    // LINE fails it once: the queue's worker sends it, and she still sees 既読.
    s.sim.injectFault({ status: 500, count: 1, path: "/v2/bot/chat/markAsRead" });
    await her.say("二つ目です");
    const queued = await readBy("二つ目です");
    expect(await s.jobState(queued.key)).toBe("completed");
    const tries = s.sim.requests().filter((r) => r.path === "/v2/bot/chat/markAsRead");
    expect(tries.slice(-2).map((r) => r.status)).toEqual([500, 200]);
  }, 60_000);

  it("gives the open conversation only the messages after those it shows, marked read and audited", async () => {
    const { her, c } = await takenByWest("富岡");
    type Messages = {
      conversation: Record<string, unknown>;
      messages: { seq: number; text: string | null; direction: string; read: boolean }[];
    };
    const whole = (await west.get(`/api/v1/conversations/${c.id}`)).json as unknown as Messages;
    const shown = Math.max(...whole.messages.map((m) => m.seq));
    await her.say("夜になると不安です");
    const stored = await eventually(
      () => messagesWithText(s.db.prisma, { conversationId: c.id }, "夜になると不安です"),
      (m) => m.length === 1,
    );
    const viewsBefore = await s.db.prisma.auditEntry.count({
      where: { conversationId: c.id, action: "view" },
    });
    const news = await west.get(`/api/v1/conversations/${c.id}/messages?after=${shown}`);
    expect(news.status).toBe(200);
    const body = news.json as unknown as Messages;
    // Her new words only (and anything the bot said after them), read now, in order.
    expect(body.messages[0]).toMatchObject({
      text: "夜になると不安です",
      direction: "in",
      read: true,
    });
    expect(body.messages.every((m) => m.seq > shown)).toBe(true);
    expect(body.messages.map((m) => m.seq)).toEqual([...body.messages.map((m) => m.seq)].sort());
    expect(body.conversation).toEqual({
      status: "active",
      riskLevel: "none",
      riskCategories: [],
      pushesHeldSince: null,
      lastMessageUnanswered: true,
    });
    // 既読 on her phone, and the audit log has this look at her conversation.
    await eventually(
      () => Promise.resolve(s.sim.isRead(stored[0]?.lineMessageId ?? "")),
      (read) => read,
    );
    expect(
      await s.db.prisma.auditEntry.count({ where: { conversationId: c.id, action: "view" } }),
    ).toBe(viewsBefore + 1);
    // Nothing after the last: an empty list. Another region's counsellor: not found, nothing
    // marked or audited; a place that is not a number: a clear 400.
    const last = Math.max(...body.messages.map((m) => m.seq));
    const none = await west.get(`/api/v1/conversations/${c.id}/messages?after=${last}`);
    expect((none.json as unknown as Messages).messages).toEqual([]);
    const viewsNow = await s.db.prisma.auditEntry.count({ where: { action: "view" } });
    expect((await east.get(`/api/v1/conversations/${c.id}/messages?after=0`)).status).toBe(404);
    expect(await s.db.prisma.auditEntry.count({ where: { action: "view" } })).toBe(viewsNow);
    for (const bad of ["", "?after=-1", "?after=abc"]) {
      const res = await west.get(`/api/v1/conversations/${c.id}/messages${bad}`);
      expect(res).toMatchObject({ status: 400, json: { code: "INVALID_INPUT" } });
    }
  }, 60_000);

  it("delivers a counsellor's answer once when LINE answers 500 and then 200", async () => {
    const { her, c } = await takenByWest("甘楽町");
    const before = her.received().length;
    s.sim.injectFault({ status: 500, count: 1, path: "/v2/bot/message/push" });
    await west.post(`/api/v1/conversations/${c.id}/messages`, { text: "一度だけ届きます" });
    // Recorded as sent: its job has ended, so no retry follows.
    await eventually(
      () =>
        messagesWithText(s.db.prisma, {}, "一度だけ届きます").then((m) => m[0]?.delivery ?? null),
      (d) => d?.status === "sent",
      20_000,
    );
    expect(
      her
        .received()
        .slice(before)
        .map((m) => m.text),
    ).toEqual(["一度だけ届きます"]);
    const pushes = s.sim
      .requests()
      .filter(
        (r) => r.path === "/v2/bot/message/push" && JSON.stringify(r.body).includes("一度だけ"),
      );
    expect(pushes.map((p) => p.status)).toEqual([500, 200]);
    expect(pushes[0]?.retryKey).toBe(pushes[1]?.retryKey);
  }, 60_000);

  it("transfers to another region with a note she never sees, closes with coding, and counts it in the region it ended in", async () => {
    // Topic × region of this fiscal year, as the statistics page asks for it.
    const { currentFiscalYear } = (await sup.get("/api/v1/stats/options")).json as unknown as {
      currentFiscalYear: number;
    };
    const topicByRegion = async () => {
      const report = (await sup.get(`/api/v1/stats/report?fiscalYear=${currentFiscalYear}`))
        .json as unknown as {
        topicByRegion: { regionId: string | null; topic: string | null; consultations: number }[];
      };
      return (regionId: string, topic: string) =>
        report.topicByRegion.find((t) => t.regionId === regionId && t.topic === topic)
          ?.consultations ?? 0;
    };
    const countedBefore = await topicByRegion();
    const { her, c } = await takenByWest("高崎");
    const before = her.received().length;
    const moved = await west.post(`/api/v1/conversations/${c.id}/transfer`, {
      toRegionId: "tomo",
      note: "東毛在住とのこと",
    });
    expect(moved.status).toBe(204);
    expect((await queueOf(east)).waiting.map((q) => q.id)).toContain(c.id);
    expect((await west.get(`/api/v1/conversations/${c.id}`)).status).toBe(404);
    await east.post(`/api/v1/conversations/${c.id}/claim`);
    const view = (await east.get(`/api/v1/conversations/${c.id}`)).json as unknown as {
      notes: { kind: string; text: string }[];
    };
    expect(view.notes).toEqual([
      expect.objectContaining({ kind: "transfer", text: "東毛在住とのこと" }),
    ]);
    // East answers her (which makes it a consultation). Since the transfer she was told, in
    // words that name no region, that another counsellor takes over; nothing was asked again.
    await east.post(`/api/v1/conversations/${c.id}/messages`, { text: "東毛の相談員です" });
    await eventually(
      () => Promise.resolve(her.received().slice(before)),
      (m) => m.length > 1,
    );
    const since = her.received().slice(before);
    expect(since.map((m) => m.text)).toEqual([
      expect.stringMatching(/^お待たせしています。\n担当する相談員が替わります。/),
      "東毛の相談員です",
    ]);
    expect(since[0]?.text).not.toMatch(/東毛|西毛|地域/);
    const closed = await east.post(`/api/v1/conversations/${c.id}/close`, {
      topics: ["poverty", "work"],
      referrals: ["社会福祉協議会"],
      followUps: ["accompany"],
      riskLevel: "low",
    });
    expect(closed.status).toBe(200);
    expect(await s.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject(
      {
        status: "closed",
        topics: ["poverty", "work"],
        referrals: ["社会福祉協議会"],
        followUps: ["accompany"],
        riskLevel: "low",
      },
    );
    // Triaged to 西毛, answered and closed in 東毛: the report counts it in 東毛 only.
    const countedAfter = await topicByRegion();
    const added = (regionId: string, topic: string) =>
      countedAfter(regionId, topic) - countedBefore(regionId, topic);
    expect([
      added("tomo", "poverty"),
      added("tomo", "work"),
      added("seimo", "poverty"),
      added("seimo", "work"),
    ]).toEqual([1, 1, 0, 0]);
    const audit = (await admin.get(`/api/v1/audit?conversationId=${c.id}`)).json as unknown as {
      action: string;
      counsellorName: string | null;
      detail: { from?: string; to?: string; reason?: string; note?: unknown };
    }[];
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["claim", "transfer", "view", "close"]),
    );
    // Her whole life in the queue, oldest first: every status change, who made it and why;
    // the transfer note's words stay out of the log.
    const moves = audit.filter((a) => a.detail.from).reverse();
    expect(moves.map((a) => [a.action, a.detail.from, a.detail.to, a.counsellorName])).toEqual([
      ["handoff", "bot", "waiting", null],
      ["claim", "waiting", "active", "相談員west"],
      ["transfer", "active", "waiting", "相談員west"],
      ["claim", "waiting", "active", "相談員east"],
      ["close", "active", "closed", "相談員east"],
    ]);
    expect(moves[0]?.detail.reason).toBe("completed");
    expect(JSON.stringify(audit)).not.toContain("東毛在住");
    expect((await west.get("/api/v1/audit")).status).toBe(403);
  }, 60_000);

  it("shows her earlier consultations only where the counsellor may see them; elsewhere a count", async () => {
    const her = s.sim.person();
    await handOff(her, "高崎"); // 西毛
    const first = await conversationOf(her.userId);
    await west.post(`/api/v1/conversations/${first.id}/claim`);
    await west.post(`/api/v1/conversations/${first.id}/close`, {
      topics: ["poverty"],
      referrals: ["高崎市役所の窓口へ同行予定"],
      followUps: [],
      riskLevel: "none",
    });
    // Days later she writes again, now from 太田 (東毛): a new consultation.
    await s.db.prisma.conversation.update({
      where: { id: first.id },
      data: { closedAt: new Date(Date.now() - 3 * 24 * 3600_000) },
    });
    await her.block(); // she had removed the account; adding it again starts over
    await handOff(her, "太田");
    const second = await conversationOf(her.userId);
    expect(second.id).not.toBe(first.id);
    type View = { earlier: { id: string; referrals: string[] }[]; earlierElsewhere: number };
    const inTomo = (await east.get(`/api/v1/conversations/${second.id}`)).json as unknown as View;
    expect(inTomo.earlier).toEqual([]);
    expect(inTomo.earlierElsewhere).toBe(1);
    // Nothing of the 西毛 consultation reaches 東毛: not its id, its dates, its free-text referral.
    const seenInTomo = JSON.stringify(inTomo);
    for (const detail of [first.id, "高崎市役所の窓口へ同行予定", first.startedAt.toISOString()]) {
      expect(seenInTomo).not.toContain(detail);
    }
    // A prefecture-wide admin sees both, with the details.
    const all = (await admin.get(`/api/v1/conversations/${second.id}`)).json as unknown as View;
    expect(all.earlier.map((e) => [e.id, e.referrals])).toEqual([
      [first.id, ["高崎市役所の窓口へ同行予定"]],
    ]);
    expect(all.earlierElsewhere).toBe(0);
  }, 90_000);

  it("returns a taken but unanswered conversation to the queue, and overflows a long wait with an alert", async () => {
    const her = s.sim.person();
    await handOff(her, "下仁田");
    const c = await conversationOf(her.userId);
    await west.post(`/api/v1/conversations/${c.id}/claim`);
    // Ten minutes pass without an answer (the timer counts from assigned_at).
    await s.db.prisma.conversation.update({
      where: { id: c.id },
      data: { assignedAt: new Date(Date.now() - 11 * 60_000) },
    });
    await eventually(
      () => s.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } }),
      (row) => row.status === "waiting" && row.assignedToId === null,
    );
    // Fifteen minutes of waiting: supervisors are alerted and 東毛 may take her.
    await s.db.prisma.conversation.update({
      where: { id: c.id },
      data: { waitingSince: new Date(Date.now() - 16 * 60_000) },
    });
    await eventually(
      () => s.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } }),
      (row) => row.waitAlertedAt !== null,
    );
    expect((await queueOf(east)).waiting.find((q) => q.id === c.id)).toMatchObject({
      overflow: true,
    });
    const alerts = (await sup.get("/api/v1/alerts")).json as unknown as {
      kind: string;
      conversationId: string;
    }[];
    expect(alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "wait-over-limit", conversationId: c.id }),
      ]),
    );
    expect((await west.get("/api/v1/alerts")).status).toBe(403);
  }, 60_000);

  it("streams her messages to the consoles that show them: everyone while she waits, then her counsellor and supervisors", async () => {
    const her = s.sim.person();
    await handOff(her, "富岡");
    const c = await conversationOf(her.userId);
    const streams = await Promise.all([west, west2, east, sup].map((x) => x.events()));
    const [one, two, other, supervisor] = streams;
    if (!one || !two || !other || !supervisor) throw new Error("streams");
    // Messages of her conversation one way: her words ("in") change what the queue shows of her;
    // the bot's words to her ("out", the waiting notice out of hours) do not.
    const messages = (x: typeof one, direction: "in" | "out") =>
      x.received.filter((e) => {
        const data = e.data as { conversationId?: string; direction?: string };
        return (
          e.event === "message" && data.conversationId === c.id && data.direction === direction
        );
      }).length;
    const about = (x: typeof one) => messages(x, "in");
    try {
      await her.say("まだ待っています");
      // Waiting: every console of 西毛 lists her (the preview changes), and the supervisor's.
      await eventually(
        () => Promise.resolve([one, two, supervisor].map(about)),
        (n) => n.every((x) => x === 1),
      );
      expect(about(other)).toBe(0); // 東毛 does not see 西毛's queue
      // Her line as the queue lists it comes with the event: the consoles patch it, nothing
      // fetched. Every one of them is told the same.
      const herLines = (x: typeof one) =>
        x.received
          .filter(
            (e) =>
              e.event === "message" &&
              (e.data as { conversationId?: string; direction?: string }).conversationId === c.id &&
              (e.data as { direction?: string }).direction === "in",
          )
          .map((e) => e.data as { preview?: string; unread?: number });
      const unreadBefore = await s.db.prisma.message.count({
        where: { conversationId: c.id, direction: "in", readAt: null },
      });
      for (const x of [one, two, supervisor]) {
        expect(herLines(x)).toEqual([
          expect.objectContaining({ preview: "まだ待っています", unread: unreadBefore }),
        ]);
      }
      await west.post(`/api/v1/conversations/${c.id}/claim`);
      // Her counsellor opens the chat (her words are read), and she writes again: one unread.
      expect((await west.get(`/api/v1/conversations/${c.id}`)).status).toBe(200);
      await her.say("よろしくお願いします");
      await eventually(
        () => Promise.resolve([one, supervisor].map(about)),
        (n) => n.every((x) => x === 2),
      );
      const [said] = await messagesWithText(
        s.db.prisma,
        { conversationId: c.id },
        "よろしくお願いします",
      );
      for (const x of [one, supervisor]) {
        expect(herLines(x)[1]).toEqual({
          conversationId: c.id,
          direction: "in",
          seq: said?.seq,
          preview: "よろしくお願いします",
          unread: 1,
        });
      }
      // The colleague's queue does not show a conversation west has: nothing for her stream.
      // West then hands her to that colleague, which her stream hears of: it came after the
      // message on the same stream, so the message would have come first.
      const colleague = await s.db.prisma.counsellor.findUniqueOrThrow({
        where: { loginName: "west2" },
      });
      const queueNotices = () =>
        two.received.filter(
          (e) =>
            e.event === "queue" && (e.data as { conversationId?: string }).conversationId === c.id,
        ).length;
      const noticesBefore = queueNotices();
      const handed = await west.post(`/api/v1/conversations/${c.id}/transfer`, {
        toCounsellorId: colleague.id,
        note: "引き継ぎ",
      });
      expect(handed.status).toBe(200);
      await eventually(
        () => Promise.resolve(queueNotices()),
        (n) => n > noticesBefore,
      );
      expect(about(two)).toBe(1);
      // Her new counsellor's reply: a message to her, which her stream hears of as such.
      const repliesBefore = messages(two, "out");
      const sent = await west2.post(`/api/v1/conversations/${c.id}/messages`, {
        text: "お返事します",
      });
      expect(sent.status).toBe(201);
      await eventually(
        () => Promise.resolve(messages(two, "out")),
        (n) => n === repliesBefore + 1,
      );
      expect(about(two)).toBe(1);
      // Once LINE has it, her counsellor's console and the supervisor's are told, with its place
      // in the conversation: the page marks it 送信済み where it is. Nobody else hears of it.
      const seq = (sent.json as unknown as { seq: number }).seq;
      const deliveries = (x: typeof one) =>
        x.received.filter(
          (e) =>
            e.event === "delivery" &&
            (e.data as { conversationId?: string }).conversationId === c.id,
        );
      await eventually(
        () => Promise.resolve([two, supervisor].map((x) => deliveries(x).length)),
        (n) => n.every((x) => x === 1),
      );
      for (const x of [two, supervisor]) {
        expect(deliveries(x)[0]?.data).toEqual({
          conversationId: c.id,
          status: "sent",
          seqs: [seq],
        });
      }
      // The bot's own messages (its hand-off texts, delivered earlier) were never announced.
      expect(deliveries(one)).toEqual([]);
      expect(deliveries(other)).toEqual([]);
    } finally {
      streams.forEach((x) => x.close());
    }
  }, 60_000);

  it("announces every change to her line of the queue, and only a change", async () => {
    const her = s.sim.person();
    await handOff(her, "富岡");
    const c = await conversationOf(her.userId);
    const stream = await sup.events();
    const of = (event: string) =>
      stream.received.filter(
        (e) => e.event === event && (e.data as { conversationId?: string }).conversationId === c.id,
      );
    // Her message is the mark: notices come in order, so any an update before it caused is in.
    const mark = async (text: string) => {
      const before = of("message").length;
      await her.say(text);
      await eventually(
        () => Promise.resolve(of("message").length),
        (n) => n > before,
      );
    };
    try {
      // Writing what is already there (as an update of many fields does) is no news.
      const row = await s.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } });
      await s.db.prisma.conversation.update({
        where: { id: c.id },
        data: { topics: row.topics, riskLevel: row.riskLevel, status: row.status },
      });
      await mark("まだいます");
      expect(of("queue")).toEqual([]);
      // Her risk, and then a new category while it is already high: the queue shows both.
      await s.db.prisma.conversation.update({
        where: { id: c.id },
        data: { riskLevel: "high", riskCategories: ["dv"] },
      });
      await s.db.prisma.conversation.update({
        where: { id: c.id },
        data: { riskCategories: ["dv", "suicide"] },
      });
      await mark("待っています");
      expect(of("queue").map((e) => e.data)).toEqual([
        { conversationId: c.id },
        { conversationId: c.id },
      ]);
    } finally {
      stream.close();
    }
  }, 60_000);

  it("labels risk categories and triage answers as the preset words them", async () => {
    const ref = (await west.get("/api/v1/reference")).json as unknown as {
      riskCategories: { value: string; label: string }[];
      answers: Record<string, { value: string; label: string }[]>;
    };
    // From flows/gunma/risk-lexicon.yaml and flow.yaml: a console shows what the NPO wrote.
    expect(ref.riskCategories).toContainEqual({ value: "suicide", label: "希死念慮・自殺" });
    expect(ref.answers.ageBand).toContainEqual({ value: "60plus", label: "60代以上" });
    expect(ref.answers.supportWish).toContainEqual({
      value: "accompany",
      label: "窓口に一緒に行ってほしい",
    });
    expect(Object.keys(ref.answers)).toEqual(expect.arrayContaining(["partnerNearby", "mood"]));
  });

  it("tells her again, safely for a lock screen, when her wait grows long", async () => {
    const her = s.sim.person();
    await handOff(her, "南牧村");
    const c = await conversationOf(her.userId);
    const before = her.received().length;
    // Twenty minutes of waiting (the preset's tellAgainMinutes) pass; supervisors were alerted
    // already, so telling her is the one timer due.
    await s.db.prisma.conversation.update({
      where: { id: c.id },
      data: { waitingSince: new Date(Date.now() - 21 * 60_000), waitAlertedAt: new Date() },
    });
    const told = await eventually(
      () => Promise.resolve(her.received().slice(before)),
      (m) => m.length > 0,
    );
    expect(told[0]?.text).toMatch(/^お待たせしていてごめんなさい。/);
    expect(told[0]?.text).not.toMatch(/DV|暴力|死/);
    // Told once for this wait, not on every sweep. A later sweep looks at her timers again: it
    // alerts supervisors once their alert is undone here, and would tell her again with it.
    await s.db.prisma.conversation.update({ where: { id: c.id }, data: { waitAlertedAt: null } });
    await eventually(
      () => s.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } }),
      (row) => row.waitAlertedAt !== null,
    );
    await eventually(
      () =>
        s.db.prisma.outboundDelivery.count({ where: { personId: c.personId, status: "pending" } }),
      (pending) => pending === 0,
    );
    expect(her.received().slice(before)).toHaveLength(1);
  }, 60_000);

  it("marks her as having left when she blocks the account while waiting", async () => {
    const her = s.sim.person();
    await handOff(her, "神流町");
    await her.block();
    await eventually(
      () => conversationOf(her.userId),
      (c) => c.status === "abandoned",
    );
  }, 60_000);

  it("records an emergency decision and alerts supervisors", async () => {
    const her = s.sim.person();
    await handOff(her, "藤岡");
    const c = await conversationOf(her.userId);
    await west.post(`/api/v1/conversations/${c.id}/claim`);
    const res = await west.post(`/api/v1/conversations/${c.id}/emergency`, {
      desire: true,
      plan: true,
      means: false,
      timeframe: true,
      decision: "called-110",
      calledBy: "supervisor",
      calledAt: new Date().toISOString(),
    });
    expect(res).toMatchObject({ status: 201, json: { decision: "called-110", plan: true } });
    const alerts = (await sup.get("/api/v1/alerts")).json as unknown as {
      kind: string;
      conversationId: string;
    }[];
    expect(alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "emergency", conversationId: c.id }),
      ]),
    );

    // A supervisor of 東毛 cannot see or acknowledge 西毛's alert; one that names nothing is 404.
    const alert = await s.db.prisma.supervisorAlert.findFirstOrThrow({
      where: { conversationId: c.id, kind: "emergency" },
    });
    await account(s.db.prisma, "sup-east", "supervisor", "tomo");
    const eastSup = await ConsoleClient.signedIn(s.url, "sup-east", PASSWORD);
    const notFound = { status: 404, json: { code: "NOT_FOUND" } };
    expect(await eastSup.post(`/api/v1/alerts/${alert.id}/ack`)).toMatchObject(notFound);
    expect(await sup.post(`/api/v1/alerts/${randomUUID()}/ack`)).toMatchObject(notFound);
    expect(await sup.post("/api/v1/alerts/not-an-id/ack")).toMatchObject(notFound);
    expect(
      (await s.db.prisma.supervisorAlert.findUniqueOrThrow({ where: { id: alert.id } }))
        .acknowledgedAt,
    ).toBeNull();
    // Acknowledged once: a second click keeps the first time.
    expect((await sup.post(`/api/v1/alerts/${alert.id}/ack`)).status).toBe(204);
    const first = await s.db.prisma.supervisorAlert.findUniqueOrThrow({ where: { id: alert.id } });
    expect((await sup.post(`/api/v1/alerts/${alert.id}/ack`)).status).toBe(204);
    const again = await s.db.prisma.supervisorAlert.findUniqueOrThrow({ where: { id: alert.id } });
    expect(again.acknowledgedAt).toEqual(first.acknowledgedAt);
  }, 60_000);
  it("puts a deactivated counsellor's chats back in the queue, her place kept, for a colleague to take", async () => {
    await account(s.db.prisma, "leaving", "counsellor", "seimo");
    const leaving = await ConsoleClient.signedIn(s.url, "leaving", PASSWORD);
    const her = s.sim.person();
    await handOff(her, "富岡");
    const c = await conversationOf(her.userId);
    expect((await leaving.post(`/api/v1/conversations/${c.id}/claim`)).status).toBe(200);
    expect((await queueOf(west)).waiting.map((q) => q.id)).not.toContain(c.id);

    const { id: leavingId } = await s.db.prisma.counsellor.findUniqueOrThrow({
      where: { loginName: "leaving" },
    });
    expect((await admin.post(`/api/v1/accounts/${leavingId}/deactivate`)).status).toBe(204);

    expect((await queueOf(west)).waiting.map((q) => q.id)).toContain(c.id);
    const back = await s.db.prisma.conversation.findUniqueOrThrow({ where: { id: c.id } });
    expect(back).toMatchObject({ status: "waiting", assignedToId: null });
    expect(back.waitingSince).toEqual(c.waitingSince);
    const returned = await s.db.prisma.auditEntry.findFirstOrThrow({
      where: { conversationId: c.id, action: "returned-to-queue" },
    });
    expect(returned.detail).toMatchObject({ reason: "counsellor-deactivated" });
    expect((await west.post(`/api/v1/conversations/${c.id}/claim`)).status).toBe(200);
  });
});
