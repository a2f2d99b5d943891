import { z } from "zod";

/**
 * The part of a LINE webhook event the ingress relies on. Everything else is kept as LINE sent
 * it (sealed) and read by the processor; unknown event types pass, as LINE asks.
 */
export const webhookEventSchema = z
  .object({
    type: z.string().min(1),
    mode: z.string().min(1),
    timestamp: z.number().int().nonnegative(),
    webhookEventId: z.string().min(1).max(200),
    deliveryContext: z.object({ isRedelivery: z.boolean() }),
    source: z
      .object({
        type: z.string(),
        userId: z.string().optional(),
        groupId: z.string().optional(),
        roomId: z.string().optional(),
      })
      .optional(),
  })
  .passthrough();

export const webhookBodySchema = z.object({
  destination: z.string().optional(),
  events: z.array(webhookEventSchema),
});

export type IncomingEvent = z.infer<typeof webhookEventSchema>;

/** The chat an event belongs to (a person, or a group/room we do not serve). */
export function sourceIdOf(event: IncomingEvent): string | undefined {
  const s = event.source;
  return s?.userId ?? s?.groupId ?? s?.roomId;
}
