import { OpenApiValidator } from "../../src/simulator/openapi-validator";
import { eventually } from "../support/eventually";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";

const spec = new OpenApiValidator({});
/** The first line of the Gunma preset's greeting (flows/gunma/flow.yaml). */
const GREETING_START = "こんにちは。";
/** Messages in one LINE request the service made. */
const messagesIn = (request: { body: unknown } | undefined) =>
  ((request?.body ?? {}) as { messages?: unknown[] }).messages?.length ?? 0;
const sends = (s: ServiceUnderTest) =>
  s.sim
    .requests()
    .filter((r) => r.path === "/v2/bot/message/reply" || r.path === "/v2/bot/message/push");

/** The first delivery, once LINE's answer (or the lack of one) has been recorded on it. */
async function settledDelivery(s: ServiceUnderTest) {
  const delivery = await eventually(
    () => s.db.prisma.outboundDelivery.findFirst(),
    (d) => d !== null && d.status !== "pending",
  );
  if (!delivery) throw new Error("no delivery");
  return delivery;
}

describe("sending to LINE", () => {
  let s: ServiceUnderTest;
  afterEach(async () => s.stop());

  it("greets a new friend by reply, with a body LINE's OpenAPI spec accepts", async () => {
    s = await startServiceWithSimulator();
    const her = s.sim.person();
    await her.follow();
    const greeting = await her.nextMessage({ timeoutMs: 10_000 });
    expect(greeting.text).toMatch(new RegExp(`^${GREETING_START}`));
    expect(greeting.via).toBe("reply");
    for (const request of sends(s)) {
      expect(spec.validateRequestBody(request.path, "post", request.body)).toEqual([]);
    }
    const delivery = await settledDelivery(s);
    expect(delivery).toMatchObject({ status: "sent", method: "reply", replyToken: null });
    expect(delivery.lineRequestId).toBe(sends(s)[0]?.requestId);
  });

  it("pushes with a retry key when the reply token has expired", async () => {
    s = await startServiceWithSimulator({ simulator: { replyTokenTtlMs: 0 } });
    const her = s.sim.person();
    await her.follow();
    const greeting = await her.nextMessage({ timeoutMs: 10_000 });
    expect(greeting.via).toBe("push");
    expect(greeting.text).toMatch(new RegExp(`^${GREETING_START}`));
    const [reply, push] = sends(s);
    expect(reply).toMatchObject({ path: "/v2/bot/message/reply", status: 400 });
    expect(push).toMatchObject({ path: "/v2/bot/message/push", status: 200 });
    expect(push?.retryKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(spec.validateRequestBody("/v2/bot/message/push", "post", push?.body)).toEqual([]);
  });

  it("retries a push that met 500s with the same X-Line-Retry-Key and delivers it once", async () => {
    s = await startServiceWithSimulator({ simulator: { replyTokenTtlMs: 0 } });
    s.sim.injectFault({ status: 500, count: 2, path: "/v2/bot/message/push" });
    const her = s.sim.person();
    await her.follow();
    await her.nextMessage({ timeoutMs: 20_000 });
    const pushes = sends(s).filter((r) => r.path === "/v2/bot/message/push");
    expect(pushes.map((p) => p.status)).toEqual([500, 500, 200]);
    expect(new Set(pushes.map((p) => p.retryKey)).size).toBe(1);
    // Recorded as sent: the job has ended, nothing more goes to LINE for it.
    const delivery = await settledDelivery(s);
    expect(delivery).toMatchObject({ status: "sent", attempts: 4, retryKey: pushes[0]?.retryKey });
    expect(sends(s).filter((r) => r.path === "/v2/bot/message/push")).toHaveLength(3);
    expect(her.received()).toHaveLength(messagesIn(pushes[2]));
  }, 40_000);

  it("retries after a 429 and after no answer at all", async () => {
    s = await startServiceWithSimulator({ simulator: { replyTokenTtlMs: 0, faultTimeoutMs: 200 } });
    s.sim.injectFault({ status: 429, count: 1, path: "/v2/bot/message/push" });
    s.sim.injectFault({ status: "timeout", count: 1, path: "/v2/bot/message/push" });
    const her = s.sim.person();
    await her.follow();
    await her.nextMessage({ timeoutMs: 30_000 });
    const pushes = sends(s).filter((r) => r.path === "/v2/bot/message/push");
    expect(pushes.map((p) => p.status)).toEqual([429, "timeout", 200]);
    expect(new Set(pushes.map((p) => p.retryKey)).size).toBe(1);
  }, 40_000);

  it("does not retry a push LINE rejects with 400, and records LINE's request id", async () => {
    s = await startServiceWithSimulator({ simulator: { replyTokenTtlMs: 0 } });
    s.sim.injectFault({ status: 400, count: 1, path: "/v2/bot/message/push" });
    const her = s.sim.person();
    await her.follow();
    const delivery = await settledDelivery(s);
    const pushes = sends(s).filter((r) => r.path === "/v2/bot/message/push");
    expect(pushes).toHaveLength(1);
    expect(delivery).toMatchObject({
      status: "failed",
      lastStatusCode: 400,
      lineRequestId: pushes[0]?.requestId,
      lastError: "Failed to send messages",
    });
    // The job ended at once (LINE's answer is recorded on the delivery): no back-off, no retry
    // will follow, and nothing waits in the outbox to be re-driven.
    await eventually(
      () => s.jobState(`dlv-${delivery.id}`),
      (state) => state === "completed",
    );
    expect(
      await s.db.prisma.jobOutbox.findUnique({ where: { key: `dlv-${delivery.id}` } }),
    ).toMatchObject({
      state: "done",
    });
    expect(sends(s).filter((r) => r.path === "/v2/bot/message/push")).toHaveLength(1);
    expect(her.received()).toHaveLength(0);
  }, 30_000);

  it("counts LINE's 409 for a retry key it already accepted as sent, and she gets the message once", async () => {
    s = await startServiceWithSimulator({ simulator: { replyTokenTtlMs: 0 } });
    // LINE accepts the push but the answer is lost: the retry meets 409 "already accepted".
    s.sim.injectFault({ status: "lost-response", count: 1, path: "/v2/bot/message/push" });
    const her = s.sim.person();
    await her.follow();
    const delivery = await settledDelivery(s);
    const pushes = sends(s).filter((r) => r.path === "/v2/bot/message/push");
    expect(pushes.map((p) => p.status)).toEqual(["lost-response", 409]);
    expect(pushes[0]?.retryKey).toBe(pushes[1]?.retryKey);
    expect(delivery).toMatchObject({
      status: "sent",
      lastStatusCode: 409,
      lineRequestId: pushes[0]?.requestId,
    });
    expect(her.received()).toHaveLength(messagesIn(pushes[0]));
    expect(her.received()[0]?.text).toMatch(new RegExp(`^${GREETING_START}`));
  }, 30_000);

  it("marks a person who blocked the account as unreachable and sends her nothing more", async () => {
    s = await startServiceWithSimulator();
    const her = s.sim.person();
    await her.follow();
    await her.nextMessage({ timeoutMs: 10_000 });
    await her.block();
    const person = await eventually(
      () => s.db.prisma.person.findFirstOrThrow(),
      (p) => !p.reachable,
    );
    expect(person.unfollowedAt).not.toBeNull();
    expect(person.pseudonym).toMatch(/^.+-[0-9A-Z]{6}$/);
  });
});
