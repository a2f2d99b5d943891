/**
 * GET /metrics, what an operator's Prometheus scrapes: events received and deduplicated, job
 * latency, and calls to LINE by endpoint and status, counted as a conversation happens.
 */
import { turn } from "../support/conversation-driver";
import { metricSum } from "../support/metrics";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";

describe("GET /metrics", () => {
  let s: ServiceUnderTest;
  beforeAll(async () => {
    s = await startServiceWithSimulator();
  });
  afterAll(() => s.stop());

  it("counts events, jobs and LINE calls as Prometheus text, and never names a person", async () => {
    const her = s.sim.person();
    await turn(her, (p) => p.follow());
    // LINE answers the next reply with 500 once: counted, and the answer still comes.
    s.sim.injectFault({ status: 500, count: 1, path: "/v2/bot/message/reply" });
    expect((await turn(her, (p) => p.say("はじめまして"))).length).toBeGreaterThan(0);
    // LINE sends her message again: stored once, counted as deduplicated.
    const message = s.sim.events().find((e) => e.userId === her.userId && e.type === "message");
    await her.redeliver(message?.webhookEventId ?? "");

    const res = await fetch(`${s.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();

    expect(metricSum(text, 'line_webhook_events_received_total{type="follow"}')).toBe(1);
    expect(metricSum(text, 'line_webhook_events_received_total{type="message"}')).toBe(1);
    expect(metricSum(text, "line_webhook_events_deduplicated_total")).toBe(1);
    expect(
      metricSum(text, 'job_duration_seconds_count{job="process-event",outcome="completed"}'),
    ).toBe(2);
    expect(metricSum(text, 'line_api_calls_total{endpoint="reply",status="500"}')).toBe(1);
    expect(metricSum(text, 'line_api_calls_total{endpoint="reply",status="200"}')).toBeGreaterThan(
      0,
    );
    expect(text).toContain("# TYPE line_webhook_events_failed_total counter");
    expect(text).not.toContain(her.userId);
    expect(text).not.toContain("はじめまして");
  });
});
