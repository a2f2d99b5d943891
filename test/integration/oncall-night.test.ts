import { createHmac } from "node:crypto";
import { createSealer } from "../../src/privacy/sealer";
import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { eventually } from "../support/eventually";
import { handOff } from "../support/handoff";
import {
  mailText,
  startMailReceiver,
  startWebhookReceiver,
  type ReceivedHook,
} from "../support/oncall-receivers";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { jst } from "../support/stats-history";
import { testConfig } from "../support/test-env";

const SECRET = "oncall-webhook-secret-for-tests";
const PUBLIC_BASE_URL = "https://soudan.example.org";
const sealer = createSealer(testConfig({ databaseUrl: "" }).appSecretKey);

/**
 * A public holiday on the real Gunma hours, with the clock chosen by the test: 2036-11-03 is
 * 文化の日, a Monday, so at 14:00 every region would be open but for the holiday, and at 23:00
 * it is night. (A day ahead of the real clock: the bot's own silence timer runs on it, and a
 * conversation dated in the past would be closed for silence at once.) A woman in 高崎 (西毛)
 * writes that she wants to die: the on-call people are called by the local webhook receiver and
 * the local SMTP server, without her words; a call nobody acknowledges is reminded ten minutes
 * later to the next person on the roster; an acknowledged one is not.
 */
describe("on-call at night and on holidays", () => {
  let s: ServiceUnderTest;
  let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let mails: Awaited<ReturnType<typeof startMailReceiver>>;
  let now = jst("2036-11-03 14:00");
  let admin: ConsoleClient;
  let supAll: ConsoleClient;

  beforeAll(async () => {
    hooks = await startWebhookReceiver();
    mails = await startMailReceiver();
    s = await startServiceWithSimulator({
      simulator: { now: () => now.getTime() },
      now: () => now,
      onCall: {
        webhook: { url: hooks.url, secret: SECRET },
        smtpUrl: mails.url,
        publicBaseUrl: PUBLIC_BASE_URL,
      },
      // Retries of the webhook come after milliseconds instead of seconds.
      jobBackoffScale: 0.01,
    });
    await account(s.db.prisma, "admin", "admin", null);
    await account(s.db.prisma, "supwest", "supervisor", "seimo", "west-oncall@example.org");
    await account(s.db.prisma, "supall", "supervisor", null, "all-oncall@example.org");
    admin = await ConsoleClient.signedIn(s.url, "admin", PASSWORD);
    supAll = await ConsoleClient.signedIn(s.url, "supall", PASSWORD);
    // The roster for the holiday and its night: 西毛's supervisor first for 西毛, the all-regions one next.
    const people = (await admin.get("/api/v1/oncall/people")).json as unknown as {
      id: string;
      loginName: string;
    }[];
    const idOf = (login: string) => people.find((p) => p.loginName === login)?.id;
    const holiday = { startsAt: jst("2036-11-03 00:00"), endsAt: jst("2036-11-04 09:00") };
    for (const [login, regionId, priority] of [
      ["supwest", "seimo", 1],
      ["supall", null, 2],
    ] as const) {
      const added = await admin.post("/api/v1/oncall/shifts", {
        counsellorId: idOf(login),
        regionId,
        startsAt: holiday.startsAt.toISOString(),
        endsAt: holiday.endsAt.toISOString(),
        priority,
      });
      expect(added.status).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    await s.stop();
    await hooks.close();
    await mails.close();
  });

  const conversationOf = (her: SimulatedPerson) =>
    s.db.prisma.conversation.findFirstOrThrow({
      where: { person: { lineUserHash: sealer.hash(her.userId) } },
      include: { person: { select: { pseudonym: true } } },
    });
  const hooksFor = (conversationId: string, kind?: string) =>
    hooks.received.filter(
      (h) => h.json.conversationId === conversationId && (!kind || h.json.kind === kind),
    );
  const accepted = (conversationId: string, kind: string) =>
    eventually(
      () => Promise.resolve(hooksFor(conversationId, kind).filter((h) => h.status === 200)),
      (list) => list.length > 0,
    ).then((list) => list[0] as ReceivedHook);
  const mailTo = (address: string) =>
    eventually(
      () => Promise.resolve(mails.received.filter((m) => m.to.includes(address))),
      (list) => list.length > 0,
    );
  /** Nothing she wrote, nothing that names her: for webhook bodies and mails alike. */
  const expectNothingOfHers = (
    text: string,
    her: SimulatedPerson,
    conversation: { person: { pseudonym: string } },
  ) => {
    for (const secret of ["死にたい", "高崎", her.userId, conversation.person.pseudonym]) {
      expect(text).not.toContain(secret);
    }
  };

  it("calls the roster by a signed webhook, retried under the same id, and by e-mail, without her words", async () => {
    const her = s.sim.person();
    // The receiver is down for the first call: it answers 500, then takes the retry.
    hooks.failNext(500);
    await handOff(her, "高崎", { risky: true });
    const c = await conversationOf(her);
    expect(c).toMatchObject({ status: "waiting", riskLevel: "high", regionId: "seimo" });

    const hook = await accepted(c.id, "high-risk-out-of-hours");
    const tries = hooksFor(c.id, "high-risk-out-of-hours");
    expect(tries.map((h) => h.status)).toEqual([500, 200]);
    // The retry is the same notification: same id, same bytes, so the receiver can drop repeats.
    expect(new Set(tries.map((h) => h.raw)).size).toBe(1);
    expect(hook.headers["x-signature"]).toBe(
      createHmac("sha256", SECRET).update(hook.raw).digest("base64"),
    );
    expect(hook.headers["x-signature"]).not.toBe(
      createHmac("sha256", "another-secret-entirely").update(hook.raw).digest("base64"),
    );
    expect(hook.json.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(hook.json).toEqual({
      id: hook.json.id,
      kind: "high-risk-out-of-hours",
      conversationId: c.id,
      regionId: "seimo",
      riskCategories: c.riskCategories,
      at: "2036-11-03T05:00:00.000Z",
      consoleUrl: `${PUBLIC_BASE_URL}/console/#/oncall`,
    });
    expect(c.riskCategories.length).toBeGreaterThan(0);
    expectNothingOfHers(hook.raw, her, c);

    // The mail goes to the first on the roster for 西毛, and says only what is needed.
    const [mail] = await mailTo("west-oncall@example.org");
    expect(mail?.to).toEqual(["west-oncall@example.org"]);
    const { subject, body } = mailText(mail ?? { from: "", to: [], raw: "" });
    expect(subject).toContain("西毛");
    expect(body).toContain("受付時間外に、高リスクの相談が届いています。");
    expect(body).toContain(`${PUBLIC_BASE_URL}/console/#/oncall`);
    expectNothingOfHers(mail?.raw ?? "", her, c);
    expectNothingOfHers(`${subject}\n${body}`, her, c);
    expect(body).not.toContain(c.id);

    // Ten minutes pass and nobody acknowledged it: a reminder to the webhook, and an e-mail to
    // the next person on the roster.
    now = jst("2036-11-03 14:11");
    const reminder = await accepted(c.id, "reminder");
    expect(reminder.json.id).not.toBe(hook.json.id);
    expect(reminder.json).toEqual({
      ...hook.json,
      id: reminder.json.id,
      kind: "reminder",
      at: "2036-11-03T05:11:00.000Z",
    });
    expect(reminder.headers["x-signature"]).toBe(
      createHmac("sha256", SECRET).update(reminder.raw).digest("base64"),
    );
    const [next] = await mailTo("all-oncall@example.org");
    expect(mailText(next ?? { from: "", to: [], raw: "" }).body).toContain("再通知");
    expectNothingOfHers(next?.raw ?? "", her, c);
    // One notification per conversation and kind, however often the sweep passed.
    const kinds = await s.db.prisma.onCallNotification.findMany({
      where: { conversationId: c.id },
      select: { kind: true, webhookSentAt: true, mailSentAt: true },
    });
    expect(kinds.map((n) => n.kind).sort()).toEqual(["high-risk-out-of-hours", "reminder"]);
    expect(kinds.every((n) => n.webhookSentAt && n.mailSentAt)).toBe(true);
  });

  it("sends no reminder once an on-call person has acknowledged the call in the console", async () => {
    now = jst("2036-11-03 23:00");
    const acknowledged = s.sim.person();
    const unanswered = s.sim.person();
    await handOff(acknowledged, "高崎", { risky: true });
    await handOff(unanswered, "高崎", { risky: true });
    const a = await conversationOf(acknowledged);
    const u = await conversationOf(unanswered);
    const call = await accepted(a.id, "high-risk-out-of-hours");
    await accepted(u.id, "high-risk-out-of-hours");

    // The all-regions supervisor on call sees it in the console and acknowledges it.
    const list = (await supAll.get("/api/v1/oncall/notifications")).json as unknown as {
      id: string;
      acknowledgedAt: string | null;
    }[];
    expect(list.find((n) => n.id === call.json.id)?.acknowledgedAt).toBeNull();
    const ack = await supAll.post(`/api/v1/oncall/notifications/${String(call.json.id)}/ack`, {});
    expect(ack).toMatchObject({
      status: 200,
      json: { id: call.json.id, acknowledgedBy: "相談員supall" },
    });
    const audit = await s.db.prisma.auditEntry.findFirst({
      where: { action: "oncall-ack", conversationId: a.id },
    });
    expect(audit?.detail).toEqual({ notificationId: call.json.id, kind: "high-risk-out-of-hours" });

    // Eleven minutes later the unanswered call is reminded; once every on-call job the sweep
    // wrote has run, the acknowledged one has had none.
    now = jst("2036-11-03 23:11");
    await accepted(u.id, "reminder");
    await eventually(
      () =>
        s.db.prisma.jobOutbox.count({
          where: { name: { startsWith: "oncall" }, state: { not: "done" } },
        }),
      (pending) => pending === 0,
    );
    expect(hooksFor(a.id, "reminder")).toEqual([]);
    expect(
      await s.db.prisma.onCallNotification.count({
        where: { conversationId: a.id, kind: "reminder" },
      }),
    ).toBe(0);
  });
});
