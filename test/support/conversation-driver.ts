import type { PrismaClient } from "../../src/db/prisma-client";
import { createSealer } from "../../src/privacy/sealer";
import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import type { ActionResult, DeliveredMessage } from "../../src/simulator/simulator-types";
import { eventually } from "./eventually";

/**
 * Whether the service that stored a webhook event is done with it; `undefined` when that
 * service never got the event.
 */
export type SettledProbe = (webhookEventId: string, userId: string) => Promise<boolean | undefined>;

const services = new Set<SettledProbe>();

/** Lets turn() ask a service whether it is done with her event; returns how to stop asking. */
export function watchService(probe: SettledProbe): () => void {
  services.add(probe);
  return () => services.delete(probe);
}

/**
 * A service's database says it is done with her event: the event is processed (or ignored) and
 * every answer to her is settled with LINE. Answers are stored in the event's own transaction,
 * and a delivery is settled only once LINE has taken it (or refused it for good), so nothing the
 * event caused is still on its way to her phone. `appSecretKey`: the service's, to find her.
 */
export function settledIn(prisma: PrismaClient, appSecretKey: string): SettledProbe {
  const sealer = createSealer(appSecretKey);
  return async (webhookEventId, userId) => {
    const event = await prisma.webhookEvent.findUnique({
      where: { webhookEventId },
      select: { status: true },
    });
    if (!event) return undefined;
    if (event.status === "received") return false;
    // A message held for her contact times is not on its way: it waits for her window.
    const onTheirWay = await prisma.outboundDelivery.count({
      where: { status: "pending", notBefore: null, person: { lineUserHash: sealer.hash(userId) } },
    });
    return onTheirWay === 0;
  };
}

/** Does one thing as her and returns what the bot answered once the service is done with it. */
async function answered(
  her: SimulatedPerson,
  act: (her: SimulatedPerson) => Promise<ActionResult>,
): Promise<DeliveredMessage[]> {
  const before = her.received().length;
  const { webhookEventId } = await act(her);
  await eventually(
    () => settled(webhookEventId, her.userId),
    (done) => done,
  );
  return her.received().slice(before);
}

/**
 * Does one thing as her (a message, a tap) and returns everything the bot answered: waits until
 * the service (see watchService) is done with her event, every answer delivered.
 */
export async function turn(
  her: SimulatedPerson,
  act: (her: SimulatedPerson) => Promise<ActionResult>,
): Promise<DeliveredMessage[]> {
  const answer = await answered(her, act);
  if (answer.length === 0) throw new Error("the bot did not answer");
  return answer;
}

/**
 * Does one thing as her that the bot must not answer, and returns what it answered all the same
 * (nothing, when it behaves): waits, as turn() does, until the service is done with her event.
 */
export const silentTurn = answered;

async function settled(webhookEventId: string, userId: string): Promise<boolean> {
  const answers = await Promise.all([...services].map((probe) => probe(webhookEventId, userId)));
  const known = answers.filter((a) => a !== undefined);
  if (known.length === 0) throw new Error("no service watched by turn() stored her event");
  return known.every(Boolean);
}

/** The quick-reply labels she is offered now (on the latest message that has any). */
export function buttons(answer: DeliveredMessage[]): string[] {
  return [...answer].reverse().find((m) => m.quickReplyLabels.length > 0)?.quickReplyLabels ?? [];
}

export const texts = (answer: DeliveredMessage[]) => answer.map((m) => m.text ?? "").join("\n");
