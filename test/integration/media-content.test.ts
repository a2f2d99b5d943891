import { randomBytes } from "node:crypto";
import { createSealer } from "../../src/privacy/sealer";
import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { eventually } from "../support/eventually";
import { handOff } from "../support/handoff";
import { silentTurn } from "../support/conversation-driver";
import { gunmaOpenAroundTheClock } from "../support/presets";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { testConfig } from "../support/test-env";
import { latestConversationOf } from "../support/her-conversation";

const sealer = createSealer(testConfig({ databaseUrl: "" }).appSecretKey);

/** The cap this service runs with: files over it are not kept. */
const CAP = 1024 * 1024;

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  randomBytes(200),
]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(200)]);
const GIF = Buffer.concat([Buffer.from("GIF89a"), randomBytes(200)]);
const WEBP = Buffer.concat([
  Buffer.from("RIFF"),
  Buffer.from([0x20, 0, 0, 0]),
  Buffer.from("WEBPVP8 "),
  randomBytes(200),
]);
const HTML = Buffer.from("<!doctype html><html><script>fetch('/api/v1/queue')</script></html>");
const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
);

interface ViewMessage {
  id: string;
  kind: string;
  unsent: boolean;
  hasContent: boolean;
  contentInline: boolean;
  contentTooLarge: boolean;
  contentUnavailable: boolean;
}

describe("her files: kept safely, served safely, gone when she unsends", () => {
  let s: ServiceUnderTest;
  let sup: ConsoleClient;

  beforeAll(async () => {
    s = await startServiceWithSimulator({
      preset: gunmaOpenAroundTheClock(),
      mediaMaxBytes: CAP,
    });
    await account(s.db.prisma, "sup", "supervisor", null);
    sup = await ConsoleClient.signedIn(s.url, "sup", PASSWORD);
  }, 60_000);
  afterAll(async () => s.stop());

  const conversationOf = (her: SimulatedPerson) => latestConversationOf(s.db.prisma, her.userId);
  const messageOf = (lineMessageId: string) =>
    s.db.prisma.message.findUniqueOrThrow({ where: { lineMessageId } });
  const viewed = async (her: SimulatedPerson, lineMessageId: string) => {
    const conversation = await conversationOf(her);
    const { id } = await messageOf(lineMessageId);
    const res = await sup.get(`/api/v1/conversations/${conversation.id}`);
    const messages = (res.json as unknown as { messages: ViewMessage[] }).messages;
    const message = messages.find((m) => m.id === id);
    if (!message) throw new Error("her message is not in the conversation view");
    return message;
  };
  /** Her file, once the copy has settled (stored or too large). */
  const settled = (her: SimulatedPerson, lineMessageId: string) =>
    eventually(
      () => viewed(her, lineMessageId),
      (m) => m.hasContent || m.contentTooLarge,
    );
  /** She sends a file; returns once the service has processed her message. */
  const sendFrom = async (her: SimulatedPerson, bytes: Buffer, contentType: string) => {
    let messageId: string | undefined;
    await silentTurn(her, async (p) => {
      const result = await p.sendImage(bytes, contentType);
      messageId = result.messageId;
      return result;
    });
    if (!messageId) throw new Error("no message id");
    return messageId;
  };
  const send = async (bytes: Buffer, contentType: string) => {
    const her = s.sim.person();
    await silentTurn(her, (p) => p.follow());
    return { her, lineMessageId: await sendFrom(her, bytes, contentType) };
  };
  const unsend = (her: SimulatedPerson, lineMessageId: string) =>
    silentTurn(her, (p) => p.unsend(lineMessageId));
  const content = async (lineMessageId: string) => {
    const { id } = await messageOf(lineMessageId);
    return sup.raw(`/api/v1/messages/${id}/content`);
  };
  const storedRows = async (lineMessageId: string) => {
    const { id } = await messageOf(lineMessageId);
    return {
      media: await s.db.prisma.messageMedia.count({ where: { messageId: id } }),
      chunks: await s.db.prisma.messageMediaChunk.count({ where: { messageId: id } }),
    };
  };

  it.each([
    ["image/jpeg", JPEG],
    ["image/png", PNG],
    ["image/gif", GIF],
    ["image/webp", WEBP],
  ])("shows an allow-listed image (%s) inline, with nosniff", async (type, bytes) => {
    const { her, lineMessageId } = await send(bytes, type);
    expect(await settled(her, lineMessageId)).toMatchObject({
      hasContent: true,
      contentInline: true,
    });
    const res = await content(lineMessageId);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(type);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-disposition")).toBe("inline");
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });

  it.each([
    ["an HTML page", "text/html; charset=utf-8", HTML],
    ["an SVG with a script", "image/svg+xml", SVG],
    ["a type nobody knows", "application/x-unknown", randomBytes(300)],
    ["HTML declared as a PNG", "image/png", HTML],
    ["a PNG declared as HTML", "text/html", PNG],
    ["a PNG declared as a JPEG", "image/jpeg", PNG],
  ])("offers %s only as a download, never as a page", async (_what, type, bytes) => {
    const { her, lineMessageId } = await send(bytes, type);
    expect(await settled(her, lineMessageId)).toMatchObject({
      hasContent: true,
      contentInline: false,
    });
    const res = await content(lineMessageId);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename=/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("sandbox");
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });

  it("keeps a large file in pieces and serves it back whole", async () => {
    const bytes = Buffer.concat([JPEG.subarray(0, 4), randomBytes(CAP - 4)]);
    const { her, lineMessageId } = await send(bytes, "image/jpeg");
    expect(await settled(her, lineMessageId)).toMatchObject({ contentInline: true });
    expect((await storedRows(lineMessageId)).chunks).toBeGreaterThan(1);
    const res = await content(lineMessageId);
    expect(res.headers.get("content-length")).toBe(String(CAP));
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("keeps nothing of a file over the cap, says so, and keeps her message in the queue", async () => {
    const her = s.sim.person();
    await handOff(her, "高崎");
    const lineMessageId = await sendFrom(
      her,
      Buffer.concat([PNG.subarray(0, 8), randomBytes(CAP)]),
      "image/png",
    );
    expect(await settled(her, lineMessageId)).toMatchObject({
      hasContent: false,
      contentTooLarge: true,
      unsent: false,
    });
    expect((await storedRows(lineMessageId)).chunks).toBe(0);
    expect((await content(lineMessageId)).status).toBe(404);
    // She is not left unheard: her conversation is waiting in the queue like any other.
    const conversation = await conversationOf(her);
    const queue = (await sup.get("/api/v1/queue")).json as unknown as {
      waiting: { id: string }[];
    };
    expect(queue.waiting.map((c) => c.id)).toContain(conversation.id);
  });

  it("says so, and stops waiting, when LINE refuses to give her file", async () => {
    const her = s.sim.person();
    await handOff(her, "高崎");
    s.sim.injectFault({ path: "/v2/bot/message/*/content", status: 400, count: 1 });
    const lineMessageId = await sendFrom(her, PNG, "image/png");
    expect(
      await eventually(
        () => viewed(her, lineMessageId),
        (m) => m.hasContent || m.contentTooLarge || m.contentUnavailable,
      ),
    ).toMatchObject({ hasContent: false, contentUnavailable: true, unsent: false });
    expect(await storedRows(lineMessageId)).toEqual({ media: 1, chunks: 0 });
    expect((await content(lineMessageId)).status).toBe(404);
  });

  it("removes the content when she unsends the image after it was copied", async () => {
    const { her, lineMessageId } = await send(PNG, "image/png");
    await settled(her, lineMessageId);
    expect((await content(lineMessageId)).status).toBe(200);
    await unsend(her, lineMessageId);
    expect(await viewed(her, lineMessageId)).toMatchObject({ unsent: true, hasContent: false });
    const res = await content(lineMessageId);
    expect(res.status).toBe(410);
    expect(await res.json()).toMatchObject({ code: "UNSENT" });
    expect(await storedRows(lineMessageId)).toEqual({ media: 0, chunks: 0 });
  });

  it("stores nothing when the copy runs after she unsent the image", async () => {
    // LINE fails the first copy; she unsends before the copy is tried again. LINE (like the
    // simulator) may still hand out the content: the service must not keep it.
    s.sim.injectFault({ path: "/v2/bot/message/*/content", status: 500, count: 1 });
    const { her, lineMessageId } = await send(PNG, "image/png");
    const contentPath = `/v2/bot/message/${lineMessageId}/content`;
    await eventually(
      () => Promise.resolve(s.sim.requests().filter((r) => r.path === contentPath)),
      (calls) => calls.some((r) => r.status === 500),
    );
    await unsend(her, lineMessageId);
    const { id } = await messageOf(lineMessageId);
    await eventually(
      () => s.jobState(`media-${id}`),
      (state) => state === "completed",
      30_000,
    );
    expect(await storedRows(lineMessageId)).toEqual({ media: 0, chunks: 0 });
    expect((await content(lineMessageId)).status).toBe(410);
    expect(await viewed(her, lineMessageId)).toMatchObject({ unsent: true, hasContent: false });
  });

  it("forgets her words when she unsends a text, in the transcript and the stored raw event", async () => {
    const her = s.sim.person();
    await her.follow();
    const { messageId } = await her.say("夫の名前は山田太郎です");
    if (!messageId) throw new Error("no message id");
    const before = await eventually(
      () => s.db.prisma.message.findUnique({ where: { lineMessageId: messageId } }),
      (m) => m !== null,
    );
    const eventId = before?.webhookEventId ?? -1n;
    const rawOf = async () =>
      sealer.open(
        (await s.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: eventId } })).payloadEnc ??
          new Uint8Array(),
      );
    await eventually(
      async () =>
        (await s.db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: eventId } })).status,
      (status) => status === "processed",
    );
    expect(await rawOf()).toContain("山田太郎");
    await unsend(her, messageId);
    expect((await messageOf(messageId)).textEnc).toBeNull();
    expect(await rawOf()).not.toContain("山田太郎");
    expect(JSON.parse(await rawOf())).toMatchObject({ message: { id: messageId, type: "text" } });
  });
});
