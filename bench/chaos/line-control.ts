/**
 * The harness's side of the LINE process (line-process.ts): the women's actions through the
 * simulator's person API (each one a signed webhook POST to the service, as LINE sends it), LINE's
 * redelivery, faults, and the ledger of what LINE accepted.
 */
import type { ActionResult, FaultSpec } from "../../src/simulator/simulator-types";
import type { Ledger } from "./line-ledger";

export class LineControl {
  constructor(readonly baseUrl: string) {}

  async newPerson(): Promise<string> {
    const { userId } = await this.call<{ userId: string }>("POST", "/chaos/persons");
    return userId;
  }

  follow(userId: string): Promise<ActionResult> {
    return this.call("POST", `/simulator/_sim/persons/${userId}/follow`);
  }

  /** She writes `text`; resolves with the status the service answered the webhook with. */
  say(userId: string, text: string): Promise<ActionResult> {
    return this.call("POST", `/simulator/_sim/persons/${userId}/messages`, { text });
  }

  /** LINE sends an unacknowledged event again: same webhookEventId, `isRedelivery: true`. */
  redeliver(webhookEventId: string): Promise<ActionResult> {
    return this.call("POST", `/simulator/_sim/events/${webhookEventId}/redeliver`);
  }

  async injectFaults(faults: FaultSpec[]): Promise<void> {
    await this.call("POST", "/chaos/faults", { faults });
  }

  async clearFaults(): Promise<void> {
    await this.call("DELETE", "/chaos/faults");
  }

  ledger(): Promise<Ledger> {
    return this.call("GET", "/chaos/ledger");
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`LINE simulator ${method} ${path}: ${response.status}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}
