import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import type { ActionResult, DeliveredMessage } from "../../src/simulator/simulator-types";

/**
 * Does one thing as her (a message, a tap) and returns everything the bot answered: waits for
 * the first answer, then until nothing more arrives for a moment (a reply and pushes may follow
 * each other).
 */
export async function turn(
  her: SimulatedPerson,
  act: (her: SimulatedPerson) => Promise<ActionResult>,
): Promise<DeliveredMessage[]> {
  const before = her.received().length;
  await act(her);
  const deadline = Date.now() + 15_000;
  while (her.received().length === before) {
    if (Date.now() > deadline) throw new Error("the bot did not answer within 15 s");
    await sleep(25);
  }
  let seen = -1;
  while (seen !== her.received().length) {
    seen = her.received().length;
    await sleep(300);
  }
  return her.received().slice(before);
}

/** The quick-reply labels she is offered now (on the latest message that has any). */
export function buttons(answer: DeliveredMessage[]): string[] {
  return [...answer].reverse().find((m) => m.quickReplyLabels.length > 0)?.quickReplyLabels ?? [];
}

export const texts = (answer: DeliveredMessage[]) => answer.map((m) => m.text ?? "").join("\n");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
