import { recordAudit } from "../audit/audit-log";
import type { PrismaClient } from "../db/prisma-client";
import { AppError } from "../errors";
import type { Preset } from "../flows/flow-types";
import type { ConsoleUser } from "../http/auth-middleware";
import { regionsOf } from "../conversations/conversation-scope";
import { mayEdit, visibleNotifications, visibleShifts } from "./oncall-presenter";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A path id that is no uuid names nothing (rather than a database error). */
const idOrNone = (id: string) => (UUID.test(id) ? id : "00000000-0000-0000-0000-000000000000");

export interface ShiftInput {
  counsellorId: string;
  regionId: string | null;
  startsAt: string;
  endsAt: string;
  priority: number;
}

/**
 * What supervisors and admins change on the on-call page: the roster, e-mail addresses, and
 * the acknowledgement of a notification (which stops its reminder). Every change is audited.
 */
export function createOnCallService(deps: {
  prisma: PrismaClient;
  preset: Preset;
  now?: () => Date;
}) {
  const { prisma, preset } = deps;
  const now = deps.now ?? (() => new Date());

  async function addShift(user: ConsoleUser, input: ShiftInput) {
    if (input.regionId !== null && !preset.regions.some((r) => r.id === input.regionId))
      throw new AppError("UNKNOWN_REGION", `Unknown region ${input.regionId}`, 400);
    if (!mayEdit(user, input))
      throw new AppError("FORBIDDEN_REGION", "You can only plan your own region's on-call", 403);
    // Only people the planner may see: another region's person answers as nobody does.
    const region = regionsOf(user);
    const person = await prisma.counsellor.findFirst({
      where: {
        id: input.counsellorId,
        ...(region === null ? {} : { OR: [{ regionId: region }, { regionId: null }] }),
      },
    });
    if (!person || !person.active || person.role === "counsellor")
      throw new AppError(
        "ONCALL_NOT_ELIGIBLE",
        "Only active supervisors and admins can be on call",
        400,
      );
    if (!person.email)
      throw new AppError("ONCALL_NO_EMAIL", "This person has no e-mail address for on-call", 400);
    if (person.regionId !== null && person.regionId !== input.regionId)
      throw new AppError(
        "ONCALL_OUT_OF_REGION",
        "This person cannot see that region's conversations",
        400,
      );
    return prisma.$transaction(async (tx) => {
      const shift = await tx.onCallShift.create({
        data: {
          counsellorId: person.id,
          regionId: input.regionId,
          startsAt: new Date(input.startsAt),
          endsAt: new Date(input.endsAt),
          priority: input.priority,
          createdById: user.id,
        },
        include: { counsellor: { select: { id: true, displayName: true, loginName: true } } },
      });
      await recordAudit(tx, {
        by: user.id,
        action: "oncall-shift-add",
        detail: {
          shiftId: shift.id,
          counsellorId: person.id,
          regionId: shift.regionId,
          priority: shift.priority,
        },
      });
      return shift;
    });
  }

  async function removeShift(user: ConsoleUser, id: string) {
    await prisma.$transaction(async (tx) => {
      const shift = await tx.onCallShift.findFirst({
        where: { AND: [visibleShifts(user), { id: idOrNone(id) }] },
      });
      if (!shift) throw new AppError("NOT_FOUND", "No such shift", 404);
      if (!mayEdit(user, shift))
        throw new AppError("FORBIDDEN_REGION", "You can only plan your own region's on-call", 403);
      await tx.onCallShift.delete({ where: { id: shift.id } });
      await recordAudit(tx, {
        by: user.id,
        action: "oncall-shift-remove",
        detail: { shiftId: shift.id, counsellorId: shift.counsellorId, regionId: shift.regionId },
      });
    });
  }

  /** One's own address; an admin's for anyone, a region's supervisor's for her or his region. */
  async function setEmail(user: ConsoleUser, counsellorId: string, email: string | null) {
    const person = await prisma.counsellor.findUnique({ where: { id: idOrNone(counsellorId) } });
    const region = regionsOf(user);
    const inScope = person && (region === null || person.regionId === region);
    if (!person || !inScope) throw new AppError("NOT_FOUND", "No such account", 404);
    if (person.id !== user.id && user.role !== "admin")
      throw new AppError("FORBIDDEN", "Only admins change another person's address", 403);
    return prisma.$transaction(async (tx) => {
      const updated = await tx.counsellor.update({ where: { id: person.id }, data: { email } });
      await recordAudit(tx, {
        by: user.id,
        action: "oncall-email",
        detail: { counsellorId: person.id, set: email !== null },
      });
      return updated;
    });
  }

  /**
   * Someone has it: every open notification of the conversation is acknowledged, so no
   * reminder follows. Acknowledging again changes nothing.
   */
  async function acknowledge(user: ConsoleUser, notificationId: string) {
    return prisma.$transaction(async (tx) => {
      const n = await tx.onCallNotification.findFirst({
        where: { AND: [visibleNotifications(user), { id: idOrNone(notificationId) }] },
      });
      if (!n) throw new AppError("NOT_FOUND", "No such notification", 404);
      // The conversation's row lock orders this with a reminder being fired for it.
      await tx.$executeRaw`SELECT 1 FROM conversation WHERE id = ${n.conversationId}::uuid FOR UPDATE`;
      const acked = await tx.onCallNotification.updateMany({
        where: { conversationId: n.conversationId, acknowledgedAt: null },
        data: { acknowledgedAt: now(), acknowledgedById: user.id },
      });
      if (acked.count > 0)
        await recordAudit(tx, {
          by: user.id,
          action: "oncall-ack",
          conversationId: n.conversationId,
          detail: { notificationId: n.id, kind: n.kind },
        });
      return tx.onCallNotification.findUniqueOrThrow({
        where: { id: n.id },
        include: {
          mailTo: { select: { displayName: true } },
          acknowledgedBy: { select: { displayName: true } },
        },
      });
    });
  }

  return { addShift, removeShift, setEmail, acknowledge };
}

export type OnCallService = ReturnType<typeof createOnCallService>;
