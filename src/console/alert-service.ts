import { recordAudit } from "../audit/audit-log";
import type { PrismaClient } from "../db/prisma-client";
import { AppError } from "../errors";

/**
 * A supervisor (or admin) acknowledges an alert of her or his region (any region: a global
 * one), audited. Acknowledged once: a second click keeps the first time and writes nothing.
 * Another region's alert is not found.
 */
export async function acknowledgeAlert(
  prisma: PrismaClient,
  user: { id: string; regionId: string | null },
  id: string,
  at: Date,
): Promise<void> {
  const inScope = { id, ...(user.regionId ? { regionId: user.regionId } : {}) };
  await prisma.$transaction(async (tx) => {
    const alert = await tx.supervisorAlert.findFirst({ where: inScope });
    if (!alert) throw new AppError("NOT_FOUND", "No such alert", 404);
    const acked = await tx.supervisorAlert.updateMany({
      where: { ...inScope, acknowledgedAt: null },
      data: { acknowledgedAt: at, acknowledgedById: user.id },
    });
    if (acked.count === 0) return;
    await recordAudit(tx, {
      by: user.id,
      action: "alert-ack",
      conversationId: alert.conversationId,
      detail: { alertId: alert.id, kind: alert.kind },
    });
  });
}
