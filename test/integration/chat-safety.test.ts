import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import { account, ConsoleClient, PASSWORD, type LiveEvent } from "../support/console-client";
import { buttons, turn } from "../support/conversation-driver";
import { eventually } from "../support/eventually";
import { handOff } from "../support/handoff";
import { gunmaOpenAroundTheClock, withRoomForEveryChat } from "../support/presets";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { jst } from "../support/stats-history";
import { latestConversationOf } from "../support/her-conversation";
import { messagesWithText } from "../support/sealed";

interface View {
  conversation: {
    id: string;
    pushesHeldSince: string | null;
    contactTimes: { bandId: string; label: string } | null;
    riskInChat: { categories: string[]; at: string } | null;
  };
}

/**
 * Safety while a counsellor has her (issue #13, points 7 and 8), through the LINE simulator on
 * real PostgreSQL, Redis and BullMQ, with the clock chosen by the test (the service's and the
 * simulator's: her messages are stamped with it, and the timers fall due by it).
 */
// Each test takes her (or three women) through the whole triage first: on a busy machine that
// alone can take most of the default 30 s.
jest.setTimeout(120_000);

describe("safety during a counsellor's chat", () => {
  let s: ServiceUnderTest;
  let clock = jst("2026-11-24 11:00");
  let west: ConsoleClient; // 西毛 counsellor
  let sup: ConsoleClient; // supervisor, all regions
  let eastSup: ConsoleClient; // supervisor of 東毛 only

  beforeAll(async () => {
    s = await startServiceWithSimulator({
      preset: withRoomForEveryChat(gunmaOpenAroundTheClock()),
      simulator: { now: () => clock.getTime() },
      now: () => clock,
    });
    await account(s.db.prisma, "west", "counsellor", "seimo");
    await account(s.db.prisma, "sup", "supervisor", null);
    await account(s.db.prisma, "eastsup", "supervisor", "tomo");
    const signIn = (name: string) => ConsoleClient.signedIn(s.url, name, PASSWORD);
    [west, sup, eastSup] = await Promise.all([signIn("west"), signIn("sup"), signIn("eastsup")]);
  }, 60_000);
  afterAll(async () => s.stop());

  const conversationOf = (her: SimulatedPerson) => latestConversationOf(s.db.prisma, her.userId);
  const view = async (id: string) =>
    (await west.get(`/api/v1/conversations/${id}`)).json as unknown as View;
  const reply = (id: string, body: Record<string, unknown>) =>
    west.post(`/api/v1/conversations/${id}/messages`, body);
  /** She is handed to 西毛 and west takes her. */
  async function inChatWithWest(her: SimulatedPerson): Promise<string> {
    await handOff(her, "高崎");
    const { id } = await conversationOf(her);
    expect((await west.post(`/api/v1/conversations/${id}/claim`)).status).toBe(200);
    return id;
  }
  const alertsOf = (events: LiveEvent[], id: string) =>
    events.filter(
      (e) =>
        e.event === "alert" &&
        (e.data as { kind: string; conversationId: string }).kind === "risk-in-chat" &&
        (e.data as { conversationId: string }).conversationId === id,
    );

  it("alerts her counsellor and the supervisors of a risk word in the chat, with categories only", async () => {
    clock = jst("2026-11-24 11:00");
    const westEvents = await west.events();
    const supEvents = await sup.events();
    const her = s.sim.person();
    const id = await inChatWithWest(her);

    await her.say("夫に殴られた。もう死にたい");
    // Her counsellor's console hears it, and so does the supervisor's.
    await eventually(
      () => Promise.resolve(alertsOf(westEvents.received, id).length),
      (n) => n === 1,
    );
    await eventually(
      () => Promise.resolve(alertsOf(supEvents.received, id).length),
      (n) => n === 1,
    );
    const alerts = (await sup.get("/api/v1/alerts")).json as unknown as {
      kind: string;
      conversationId: string;
      riskCategories: string[];
    }[];
    const alert = alerts.find((a) => a.conversationId === id && a.kind === "risk-in-chat");
    expect(alert?.riskCategories.sort()).toEqual(["suicide", "violence-now"]);
    // Never her words: not in the alert list, not in the alert's live event (shown as a notice,
    // with a sound). Her words reach the supervisor's page only as her line's preview on the
    // message event, as her queue shows it to the same supervisor.
    expect(JSON.stringify(alerts)).not.toMatch(/死にたい|殴られ/);
    const notMessages = supEvents.received.filter((e) => e.event !== "message");
    expect(JSON.stringify(notMessages)).not.toMatch(/死にたい|殴られ/);
    const queue = (await sup.get("/api/v1/queue")).json as unknown as {
      others: { id: string; preview: string }[];
    };
    const line = queue.others.find((q) => q.id === id);
    const said = supEvents.received.filter(
      (e) => e.event === "message" && JSON.stringify(e.data).match(/死にたい|殴られ/),
    );
    expect(said.map((e) => (e.data as { preview?: string }).preview)).toEqual([line?.preview]);
    // A supervisor of another region is not told; the counsellor cannot read the alert list.
    const east = (await eastSup.get("/api/v1/alerts")).json as unknown as {
      conversationId: string;
    }[];
    expect(east.some((a) => a.conversationId === id)).toBe(false);
    expect((await west.get("/api/v1/alerts")).status).toBe(403);
    // The conversation view carries the banner's facts.
    expect((await view(id)).conversation.riskInChat).toEqual({
      categories: expect.arrayContaining(["suicide", "violence-now"]) as unknown,
      at: clock.toISOString(),
    });

    // The same categories again within ten minutes: no new alert; a new category: alerted.
    clock = jst("2026-11-24 11:05");
    await her.say("死にたい");
    await her.say("子どもが叩かれている。子供が危ない");
    // Both messages recorded (each with its alert, if any, in the same transaction).
    await eventually(
      () =>
        messagesWithText(s.db.prisma, { conversationId: id }, (t) =>
          ["死にたい", "子どもが叩かれている。子供が危ない"].includes(t),
        ).then((m) => m.length),
      (n) => n === 2,
    );
    const rows = await s.db.prisma.supervisorAlert.findMany({
      where: { conversationId: id, kind: "risk-in-chat" },
      orderBy: { createdAt: "asc" },
    });
    expect(rows).toHaveLength(2);
    expect(rows[1]?.riskCategories).toContain("child-danger");
    // After the cool-down the same words alert again.
    clock = jst("2026-11-24 11:16");
    await her.say("死にたい");
    await eventually(
      () => Promise.resolve(alertsOf(westEvents.received, id).length),
      (n) => n === 3,
    );
    westEvents.close();
    supEvents.close();
  });

  it("says nothing to her when a risk word comes during a counsellor's chat", async () => {
    clock = jst("2026-11-24 12:00");
    const her = s.sim.person();
    const id = await inChatWithWest(her);
    const before = her.received().length;
    await her.say("もう死にたい");
    await eventually(
      () => s.db.prisma.supervisorAlert.count({ where: { conversationId: id } }),
      (n) => n === 1,
    );
    // Her counsellor answers: that is the next thing on her phone, nothing from the bot before.
    expect((await reply(id, { text: "お話ししてくれてありがとうございます" })).status).toBe(201);
    await eventually(
      () => Promise.resolve(her.received().length),
      (n) => n > before,
    );
    expect(
      her
        .received()
        .slice(before)
        .map((m) => m.text),
    ).toEqual(["お話ししてくれてありがとうございます"]);
  });

  it("holds replies after her exit word until she writes again; an override is audited", async () => {
    clock = jst("2026-11-24 13:00");
    const her = s.sim.person();
    const id = await inChatWithWest(her);
    await her.say("終わり");
    await eventually(
      () => view(id),
      (v) => v.conversation.pushesHeldSince === clock.toISOString(),
    );
    const outBefore = await s.db.prisma.message.count({
      where: { conversationId: id, direction: "out" },
    });

    // Refused with a stable code, nothing recorded or sent.
    const held = await reply(id, { text: "大丈夫ですか？" });
    expect(held).toMatchObject({ status: 409, json: { code: "SENDING_HELD" } });
    expect(
      await s.db.prisma.message.count({ where: { conversationId: id, direction: "out" } }),
    ).toBe(outBefore);

    // The counsellor confirms: sent, and the audit log says who and when, not what.
    clock = jst("2026-11-24 13:02");
    const received = her.received().length;
    const override = await reply(id, { text: "大丈夫ですか？", overrideHold: true });
    expect(override.status).toBe(201);
    await eventually(
      () =>
        Promise.resolve(
          her
            .received()
            .slice(received)
            .map((m) => m.text),
        ),
      (texts) => texts.includes("大丈夫ですか？"),
    );
    const audit = await s.db.prisma.auditEntry.findFirstOrThrow({
      where: { conversationId: id, action: "hold-override" },
      include: { counsellor: true },
    });
    expect(audit.counsellor?.loginName).toBe("west");
    expect(JSON.stringify(audit.detail)).not.toContain("大丈夫");
    // Still held for the next reply: only her message lifts it.
    expect((await reply(id, { text: "お返事を待っています" })).status).toBe(409);

    await her.say("もう大丈夫です");
    await eventually(
      () => view(id),
      (v) => v.conversation.pushesHeldSince === null,
    );
    expect((await reply(id, { text: "よかったです" })).status).toBe(201);
  });

  it("refuses a reply whose first line names something sensitive unless the counsellor confirms", async () => {
    clock = jst("2026-11-24 14:00");
    const her = s.sim.person();
    const id = await inChatWithWest(her);
    const outBefore = await s.db.prisma.message.count({
      where: { conversationId: id, direction: "out" },
    });
    const unsafe = "DVの相談窓口をお伝えします\nDV相談＋ 0120-279-889";
    const refused = await reply(id, { text: unsafe });
    expect(refused).toMatchObject({
      status: 422,
      json: { code: "UNSAFE_FIRST_LINE", details: ["DV"] },
    });
    expect(
      await s.db.prisma.message.count({ where: { conversationId: id, direction: "out" } }),
    ).toBe(outBefore);
    // Safe first line, the number below it: sent at once.
    const safe = "お伝えしたいことがあります\nDV相談＋ 0120-279-889";
    expect((await reply(id, { text: safe })).status).toBe(201);
    // Confirmed as written: sent, the confirmation in the audit log.
    expect((await reply(id, { text: unsafe, confirmUnsafeFirstLine: true })).status).toBe(201);
    await eventually(
      () => Promise.resolve(her.received().map((m) => m.text)),
      (texts) => texts.includes(safe) && texts.includes(unsafe),
    );
    const audits = await s.db.prisma.auditEntry.findMany({
      where: { conversationId: id, action: "reply" },
      orderBy: { id: "asc" },
    });
    expect(audits.map((a) => a.detail)).toEqual([{}, { unsafeFirstLineConfirmed: true }]);
  });

  it("keeps a push until the contact time she chose, and answers her fresh message at once", async () => {
    // Taken at 14:55: the replies at 15:00 come within the region's 10-minute answer limit, so
    // no conversation goes back to the queue meanwhile.
    clock = jst("2026-11-25 14:55");
    /** She chooses a band with the 「連絡してよい時間」 buttons. */
    async function choose(her: SimulatedPerson, band: string) {
      const question = await turn(her, (p) => p.say("連絡してよい時間"));
      expect(buttons(question)).toContain(band);
      const confirmation = await turn(her, (p) => p.tapQuickReply(band));
      expect(confirmation.map((m) => m.text).join("\n")).toContain(`${band}のあいだ`);
    }
    const evening = s.sim.person(); // 19時〜21時
    const earlier = s.sim.person(); // 17時〜19時
    const writing = s.sim.person(); // 19時〜21時, writes at 15:00
    const ids = {
      evening: await inChatWithWest(evening),
      earlier: await inChatWithWest(earlier),
      writing: await inChatWithWest(writing),
    };
    await choose(evening, "19時〜21時");
    await choose(earlier, "17時〜19時");
    await choose(writing, "19時〜21時");
    expect((await view(ids.evening)).conversation.contactTimes).toEqual({
      bandId: "19-21",
      label: "19時〜21時",
    });

    // 15:00: she has just written, so the answer goes at once (a reply, with her token).
    clock = jst("2026-11-25 15:00");
    await writing.say("いま少しだけ話せます");
    await eventually(
      () =>
        s.db.prisma.message.count({
          where: { conversationId: ids.writing, direction: "in", replyToken: { not: null } },
        }),
      (n) => n === 1,
    );
    clock = new Date(jst("2026-11-25 15:00").getTime() + 10_000);
    const now = await reply(ids.writing, { text: "ありがとうございます。ゆっくりで大丈夫です" });
    expect(now).toMatchObject({ status: 201, json: { deliverAt: null } });
    await eventually(
      () =>
        Promise.resolve(
          writing.received().find((m) => m.text === "ありがとうございます。ゆっくりで大丈夫です"),
        ),
      (m) => m?.via === "reply",
    );

    // The others wrote five minutes ago: a push, held until their window; the console says when.
    const held = await reply(ids.evening, { text: "お返事をお送りします" });
    expect(held).toMatchObject({
      status: 201,
      json: { delivery: "pending", deliverAt: jst("2026-11-25 19:00").toISOString() },
    });
    const heldEarlier = await reply(ids.earlier, { text: "お返事をお送りします（夕方）" });
    expect(heldEarlier.json.deliverAt).toBe(jst("2026-11-25 17:00").toISOString());
    const deliveryOf = async (messageId: unknown) =>
      (await s.db.prisma.message.findUniqueOrThrow({ where: { id: String(messageId) } }))
        .deliveryId ?? "";
    const eveningDelivery = await deliveryOf(held.json.id);
    const jobsFor = (deliveryId: string) =>
      s.db.prisma.jobOutbox.count({ where: { key: { startsWith: `dlv-${deliveryId}` } } });
    expect(await jobsFor(eveningDelivery)).toBe(0);

    // 18:59: the 17–19 reply goes (its window is open), the 19–21 one still waits.
    clock = jst("2026-11-25 18:59");
    await eventually(
      () =>
        Promise.resolve(earlier.received().find((m) => m.text === "お返事をお送りします（夕方）")),
      (m) => m !== undefined,
    );
    expect(evening.received().some((m) => m.text === "お返事をお送りします")).toBe(false);
    expect(await jobsFor(eveningDelivery)).toBe(0);

    // 19:00: it goes, pushed at 19:00.
    clock = jst("2026-11-25 19:00");
    const arrived = await eventually(
      () => Promise.resolve(evening.received().find((m) => m.text === "お返事をお送りします")),
      (m) => m !== undefined,
    );
    expect(arrived).toMatchObject({ via: "push", at: jst("2026-11-25 19:00").getTime() });
    const delivery = await eventually(
      () => s.db.prisma.outboundDelivery.findUniqueOrThrow({ where: { id: eveningDelivery } }),
      (d) => d.status === "sent",
    );
    expect(delivery.sentAt).toEqual(jst("2026-11-25 19:00"));
  });
});
