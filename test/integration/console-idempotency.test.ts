/**
 * Idempotency-Key on the console's changes (src/http/idempotency.ts, src/console/API.md): a
 * counsellor's page that lost an answer asks again with the same key, and nothing happens twice.
 */
import { Client } from "pg";
import { createSealer } from "../../src/privacy/sealer";
import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { startConsoleOnClock, type ConsoleOnClock } from "../support/console-on-clock";
import { eventually } from "../support/eventually";
import { handOff } from "../support/handoff";
import { gunmaOpenAroundTheClock, withRoomForEveryChat } from "../support/presets";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { testConfig, type TestDatabase } from "../support/test-env";
import { opened } from "../support/sealed";

const sealer = createSealer(testConfig({ databaseUrl: "" }).appSecretKey);

const keyed = (client: ConsoleClient, method: string, path: string, body: unknown, key: string) =>
  client.call(method, path, body, { headers: { "Idempotency-Key": key } });

let keySerial = 0;
/** A key of this test run's own (the page sends a UUID; any visible ASCII will do). */
const newKey = (label: string) => `${label}-${Date.now()}-${++keySerial}`;

describe("console changes with an Idempotency-Key", () => {
  let s: ServiceUnderTest;
  let west: ConsoleClient; // 西毛
  let west2: ConsoleClient; // 西毛, a colleague
  let sup: ConsoleClient; // supervisor, all regions

  beforeAll(async () => {
    s = await startServiceWithSimulator({
      simulator: { replyTokenTtlMs: 0 },
      preset: withRoomForEveryChat(gunmaOpenAroundTheClock()),
    });
    await account(s.db.prisma, "west", "counsellor", "seimo");
    await account(s.db.prisma, "west2", "counsellor", "seimo");
    await account(s.db.prisma, "sup", "supervisor", null);
    const signIn = (name: string) => ConsoleClient.signedIn(s.url, name, PASSWORD);
    west = await signIn("west");
    west2 = await signIn("west2");
    sup = await signIn("sup");
  }, 60_000);
  afterAll(async () => s.stop());

  /** She is handed to 西毛's queue (and, with `claimedBy`, taken by that counsellor). */
  async function waitingConversation(place: string, claimedBy?: ConsoleClient) {
    const her = s.sim.person();
    await handOff(her, place);
    const c = await s.db.prisma.conversation.findFirstOrThrow({
      where: { person: { lineUserHash: sealer.hash(her.userId) } },
      orderBy: { startedAt: "desc" },
    });
    if (claimedBy)
      expect((await claimedBy.post(`/api/v1/conversations/${c.id}/claim`)).status).toBe(200);
    return { her, id: c.id };
  }

  const counsellorTexts = async (conversationId: string) =>
    (
      await s.db.prisma.message.findMany({
        where: { conversationId, author: "counsellor" },
        orderBy: { sentAt: "asc" },
      })
    ).map((m) => opened(m.textEnc));

  /** What reached her phone since `before`, once every delivery of hers has left the outbox. */
  async function deliveredToHer(her: SimulatedPerson, conversationId: string, before: number) {
    await eventually(
      () =>
        s.db.prisma.outboundDelivery.count({
          where: { messages: { some: { conversationId } }, status: "pending" },
        }),
      (pending) => pending === 0,
      20_000,
    );
    return her
      .received()
      .slice(before)
      .map((m) => m.text);
  }

  it("answers a retried reply as the first time, and she gets it once", async () => {
    const { her, id } = await waitingConversation("高崎", west);
    const before = her.received().length;
    const key = newKey("reply");
    const path = `/api/v1/conversations/${id}/messages`;
    const first = await keyed(west, "POST", path, { text: "お話を聞かせてください" }, key);
    const retry = await keyed(west, "POST", path, { text: "お話を聞かせてください" }, key);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.json).toEqual(first.json);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await counsellorTexts(id)).toEqual(["お話を聞かせてください"]);
    await eventually(
      () => Promise.resolve(her.received().length - before),
      (n) => n >= 1,
    );
    expect(await deliveredToHer(her, id, before)).toEqual(["お話を聞かせてください"]);
    expect(
      await s.db.prisma.outboundDelivery.count({
        where: { messages: { some: { conversationId: id, author: "counsellor" } } },
      }),
    ).toBe(1);
  }, 60_000);

  it("refuses the key for another text or another action (422), and sends nothing more", async () => {
    const { her, id } = await waitingConversation("藤岡", west);
    const before = her.received().length;
    const key = newKey("other-body");
    const path = `/api/v1/conversations/${id}/messages`;
    expect((await keyed(west, "POST", path, { text: "最初の返信" }, key)).status).toBe(201);
    const otherText = await keyed(west, "POST", path, { text: "別の返信" }, key);
    expect(otherText).toMatchObject({
      status: 422,
      json: { code: "IDEMPOTENCY_KEY_REUSED", reqId: expect.any(String) as string },
    });
    const otherAction = await keyed(
      west,
      "POST",
      `/api/v1/conversations/${id}/notes`,
      { text: "最初の返信" },
      key,
    );
    expect(otherAction).toMatchObject({ status: 422, json: { code: "IDEMPOTENCY_KEY_REUSED" } });
    expect(await counsellorTexts(id)).toEqual(["最初の返信"]);
    expect(await s.db.prisma.conversationNote.count({ where: { conversationId: id } })).toBe(0);
    await eventually(
      () => Promise.resolve(her.received().length - before),
      (n) => n >= 1,
    );
    expect(await deliveredToHer(her, id, before)).toEqual(["最初の返信"]);
  }, 60_000);

  it("answers 409 to a retry while the first is still running, and sends once", async () => {
    const { her, id } = await waitingConversation("富岡", west);
    const before = her.received().length;
    const key = newKey("in-use");
    const path = `/api/v1/conversations/${id}/messages`;
    const reply = { text: "少しお待ちください" };
    // The conversation's row is held (as a colleague's long transaction would): the first
    // request takes the key, then waits for the row.
    const holder = new Client({ connectionString: s.db.url });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM conversation WHERE id = $1 FOR UPDATE", [id]);
      const first = keyed(west, "POST", path, reply, key);
      await eventually(
        () => s.db.prisma.idempotencyKey.count({ where: { key } }),
        (n) => n === 1,
      );
      const meanwhile = await keyed(west, "POST", path, reply, key);
      expect(meanwhile).toMatchObject({ status: 409, json: { code: "IDEMPOTENCY_KEY_IN_USE" } });
      await holder.query("COMMIT");
      const answered = await first;
      expect(answered.status).toBe(201);
      // Once it has answered, the same retry gets that answer.
      const later = await keyed(west, "POST", path, reply, key);
      expect(later).toMatchObject({ status: 201, json: answered.json });
    } finally {
      await holder.end();
    }
    expect(await counsellorTexts(id)).toEqual(["少しお待ちください"]);
    await eventually(
      () => Promise.resolve(her.received().length - before),
      (n) => n >= 1,
    );
    expect(await deliveredToHer(her, id, before)).toEqual(["少しお待ちください"]);
  }, 60_000);

  it("keeps no refusal: after a refused attempt, the retry with the key runs", async () => {
    const { her, id } = await waitingConversation("安中");
    const before = her.received().length;
    const key = newKey("after-refusal");
    const path = `/api/v1/conversations/${id}/messages`;
    // Not taken yet: refused.
    const refused = await keyed(west, "POST", path, { text: "対応を始めます" }, key);
    expect(refused).toMatchObject({ status: 409, json: { code: "NOT_ACTIVE" } });
    expect((await west.post(`/api/v1/conversations/${id}/claim`)).status).toBe(200);
    const retried = await keyed(west, "POST", path, { text: "対応を始めます" }, key);
    expect(retried).toMatchObject({ status: 201, json: { text: "対応を始めます" } });
    expect(retried.headers.get("idempotent-replayed")).toBeNull();
    expect(await counsellorTexts(id)).toEqual(["対応を始めます"]);
    await eventually(
      () => Promise.resolve(her.received().length - before),
      (n) => n >= 1,
    );
    expect(await deliveredToHer(her, id, before)).toEqual(["対応を始めます"]);
  }, 60_000);

  it("keeps keys per account: a colleague's same key is hers alone; another session of mine replays", async () => {
    const { id } = await waitingConversation("甘楽町", west);
    const key = newKey("shared");
    const path = `/api/v1/conversations/${id}/notes`;
    const mine = await keyed(west, "POST", path, { text: "西のメモ" }, key);
    const supervisors = await keyed(sup, "POST", path, { text: "スーパーバイザーのメモ" }, key);
    expect(mine.status).toBe(201);
    expect(supervisors.status).toBe(201);
    // The same account on another device (its own session) gets its own first answer back.
    const otherDevice = await ConsoleClient.signedIn(s.url, "west", PASSWORD);
    const again = await keyed(otherDevice, "POST", path, { text: "西のメモ" }, key);
    expect(again).toMatchObject({ status: 201, json: mine.json });
    const notes = await s.db.prisma.conversationNote.findMany({
      where: { conversationId: id },
      orderBy: { createdAt: "asc" },
    });
    expect(notes.map((n) => opened(n.textEnc))).toEqual(["西のメモ", "スーパーバイザーのメモ"]);
  }, 60_000);

  it("does each change of a conversation once when retried with its key: claim, note, emergency (and its acknowledgement), transfer, close", async () => {
    const { id } = await waitingConversation("下仁田");
    const twice = async (client: ConsoleClient, action: string, body: unknown) => {
      const key = newKey(action);
      const path = `/api/v1/conversations/${id}/${action}`;
      const first = await keyed(client, "POST", path, body, key);
      const retry = await keyed(client, "POST", path, body, key);
      expect([action, retry.status, retry.json]).toEqual([action, first.status, first.json]);
      return first;
    };
    expect((await twice(west, "claim", {})).status).toBe(200);
    // Without its key, a second claim is a new one, and refused.
    expect((await west.post(`/api/v1/conversations/${id}/claim`)).status).toBe(409);
    expect((await twice(west, "notes", { text: "電話番号は聞いていない" })).status).toBe(201);
    const emergency = await twice(west, "emergency", {
      desire: true,
      plan: false,
      means: false,
      timeframe: false,
      decision: "no-call",
    });
    expect(emergency.status).toBe(201);
    // An answer without a body (204) is kept too: the supervisor acknowledges the alert.
    const alert = await s.db.prisma.supervisorAlert.findFirstOrThrow({
      where: { conversationId: id, kind: "emergency" },
    });
    const ackKey = newKey("ack");
    const ack = await keyed(sup, "POST", `/api/v1/alerts/${alert.id}/ack`, {}, ackKey);
    const ackAgain = await keyed(sup, "POST", `/api/v1/alerts/${alert.id}/ack`, {}, ackKey);
    expect([ack.status, ackAgain.status]).toEqual([204, 204]);
    expect(ackAgain.headers.get("idempotent-replayed")).toBe("true");
    const colleague = await s.db.prisma.counsellor.findUniqueOrThrow({
      where: { loginName: "west2" },
    });
    const handed = await twice(west, "transfer", { toCounsellorId: colleague.id, note: "交代" });
    expect(handed.status).toBe(200);
    const closed = await twice(west2, "close", {
      topics: ["poverty"],
      referrals: [],
      followUps: [],
      riskLevel: "none",
    });
    expect(closed.status).toBe(200);

    const notes = await s.db.prisma.conversationNote.findMany({ where: { conversationId: id } });
    expect(notes.map((n) => [n.kind, opened(n.textEnc)]).sort()).toEqual([
      ["note", "電話番号は聞いていない"],
      ["transfer", "交代"],
    ]);
    expect(await s.db.prisma.emergencyRecord.count({ where: { conversationId: id } })).toBe(1);
    expect(
      await s.db.prisma.supervisorAlert.count({ where: { conversationId: id, kind: "emergency" } }),
    ).toBe(1);
    const moves = await s.db.prisma.auditEntry.findMany({
      where: { conversationId: id, action: { in: ["claim", "transfer", "close"] } },
      orderBy: { id: "asc" },
    });
    expect(moves.map((m) => m.action)).toEqual(["claim", "transfer", "close"]);
  }, 60_000);

  it("refuses a malformed key with 400 and changes nothing", async () => {
    const { id } = await waitingConversation("南牧村", west);
    const path = `/api/v1/conversations/${id}/notes`;
    for (const bad of ["", "k".repeat(201), "tab\tinside", "caf\u00e9", "two words"]) {
      const res = await keyed(west, "POST", path, { text: "メモ" }, bad);
      expect([bad, res.status, res.json.code]).toEqual([bad, 400, "IDEMPOTENCY_KEY_INVALID"]);
    }
    expect(await s.db.prisma.conversationNote.count({ where: { conversationId: id } })).toBe(0);
    // The longest key allowed.
    const longest = await keyed(west, "POST", path, { text: "メモ" }, "k".repeat(200));
    expect(longest.status).toBe(201);
    expect(await s.db.prisma.conversationNote.count({ where: { conversationId: id } })).toBe(1);
  }, 60_000);

  it("names the header on every signed-in change in the OpenAPI document (but those holding a secret), and on nothing else", async () => {
    const HOLDS_SECRETS = [
      "post /api/v1/me/second-factor",
      "post /api/v1/me/second-factor/confirm",
      "post /api/v1/counsellors",
      "post /api/v1/accounts/{id}/password-reset",
      "post /api/v1/me/password",
    ];
    const doc = (await (await fetch(`${s.url}/api/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { parameters?: { name: string }[]; security?: unknown }>
      >;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        at: `${method} ${path}`,
        change: method !== "get" && op.security !== undefined,
        keyed: (op.parameters ?? []).some((p) => p.name === "Idempotency-Key"),
      })),
    );
    // A change whose request or answer holds a secret takes no key: the key store would keep a
    // fast hash of the request, and the answer itself (a one-time password, a TOTP secret,
    // recovery codes).
    expect(operations.filter((o) => o.change !== o.keyed).map((o) => o.at)).toEqual(HOLDS_SECRETS);
    expect(operations.filter((o) => o.keyed).map((o) => o.at)).toEqual(
      expect.arrayContaining([
        "post /api/v1/conversations/{id}/messages",
        "post /api/v1/conversations/{id}/transfer",
        "patch /api/v1/me",
        "post /api/v1/stats/entries",
      ]),
    );
  });
});

/**
 * The 24 hours a key is kept, and a key left in use, by the console's own clock: the console's
 * web part alone on a database of its own (its queue in PostgreSQL, no worker).
 */
describe("Idempotency-Key lifetime", () => {
  let db: TestDatabase;
  let consoleApp: ConsoleOnClock;
  let url: string;
  /** The console's clock: it stands still unless a test moves it. */
  let clock = Date.now();
  const MINUTE = 60_000;
  const HOUR = 60 * MINUTE;

  beforeAll(async () => {
    consoleApp = await startConsoleOnClock(() => clock);
    ({ db, url } = consoleApp);
  }, 60_000);
  afterAll(() => consoleApp.stop());

  const rename = (client: ConsoleClient, displayName: string, key: string) =>
    keyed(client, "PATCH", "/api/v1/me", { displayName }, key);
  const nameOf = async (loginName: string) =>
    (await db.prisma.counsellor.findUniqueOrThrow({ where: { loginName } })).displayName;
  const keyRow = (key: string) => db.prisma.idempotencyKey.findFirst({ where: { key } });

  it("replays a key for 24 hours, then forgets it (and prunes it)", async () => {
    clock = Date.now();
    let west = await ConsoleClient.signedIn(url, "west", PASSWORD);
    const first = await rename(west, "みどり", "rename-1");
    expect(first).toMatchObject({ status: 200, json: { displayName: "みどり" } });
    const untouched = await rename(west, "みどり", "left-alone");
    expect(untouched.status).toBe(200);

    // A minute short of a day later (her session long gone: signed in again).
    clock += 24 * HOUR - MINUTE;
    west = await ConsoleClient.signedIn(url, "west", PASSWORD);
    const stillKept = await rename(west, "あおい", "rename-1");
    expect(stillKept).toMatchObject({ status: 422, json: { code: "IDEMPOTENCY_KEY_REUSED" } });
    const replayed = await rename(west, "みどり", "rename-1");
    expect(replayed).toMatchObject({ status: 200, json: first.json });
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    const recent = await rename(west, "みどり", "recent");
    expect(recent.status).toBe(200);
    expect(await nameOf("west")).toBe("みどり");

    // Two minutes later the day is over: the key is free for a new change.
    clock += 2 * MINUTE;
    const renamed = await rename(west, "あおい", "rename-1");
    expect(renamed).toMatchObject({ status: 200, json: { displayName: "あおい" } });
    expect(renamed.headers.get("idempotent-replayed")).toBeNull();
    expect(await nameOf("west")).toBe("あおい");
    // Keys older than a day are deleted; a younger one is kept, and still answers.
    await eventually(
      () => keyRow("left-alone"),
      (row) => row === null,
    );
    expect(await keyRow("recent")).not.toBeNull();
    const recentAgain = await rename(west, "みどり", "recent");
    expect(recentAgain).toMatchObject({ status: 200, json: recent.json });
    expect(await nameOf("west")).toBe("あおい");
  }, 60_000);

  it("answers 409 while a key is in use, and lets a retry take it once the first has been gone 5 minutes", async () => {
    clock = Date.now();
    const east = await ConsoleClient.signedIn(url, "east", PASSWORD);
    const key = "stuck-1";
    // Her account's row is held: the first rename takes the key and waits, as a request of a
    // web process that stopped halfway would hold it without ever answering.
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      // (As an UPDATE holds it: the key's row may still refer to it.)
      await holder.query("SELECT 1 FROM counsellor WHERE login_name = 'east' FOR NO KEY UPDATE");
      const first = rename(east, "ひかり", key);
      await eventually(
        () => keyRow(key),
        (row) => row !== null,
      );
      clock += 5 * MINUTE - 1000;
      expect(await rename(east, "ひかり", key)).toMatchObject({
        status: 409,
        json: { code: "IDEMPOTENCY_KEY_IN_USE" },
      });
      clock += 2000;
      const takenOver = rename(east, "ひかり", key);
      // The retry now holds the key: its answer is the one kept.
      await eventually(
        () => keyRow(key),
        (row) => row?.createdAt.getTime() === clock,
      );
      await holder.query("COMMIT");
      expect((await takenOver).status).toBe(200);
      expect((await first).status).toBe(200);
    } finally {
      await holder.end();
    }
    const after = await rename(east, "ひかり", key);
    expect(after).toMatchObject({ status: 200, json: { displayName: "ひかり" } });
    expect(after.headers.get("idempotent-replayed")).toBe("true");
  }, 60_000);
});
