import { pruneAuditBefore } from "../audit/audit-retention";
import type { PrismaClient } from "../db/prisma-client";
import type { RetentionPeriods } from "../flows/flow-types";
import {
  eraseDeliveryPayloadsBatch,
  eraseEndedSignInsBatch,
  eraseEndedTranscriptsBatch,
  eraseMediaBatch,
  eraseRawEventsBatch,
} from "./her-content";

/** What one day's run erased (counts only). */
export interface RetentionResult {
  transcripts: number;
  media: number;
  deliveries: number;
  rawEvents: number;
  signIns: number;
  /** Audit rows removed: whole months only (src/audit/audit-retention.ts). */
  auditRows: number;
}

export interface RetentionService {
  /** Erases what is past its period on `day` (YYYY-MM-DD, Tokyo); running it again is a no-op. */
  run(day: string): Promise<RetentionResult>;
}

const DAY_MS = 24 * 3600_000;
const TOKYO_MS = 9 * 3600_000;
/** The daily run falls due at 03:00 in Tokyo, when hardly anyone writes (DOMAIN.md). */
const RUN_HOUR = 3;

/** The retention day due at `now`: the Tokyo date, changing at 03:00 Tokyo time. */
export function retentionDay(now: Date): string {
  return new Date(now.getTime() + TOKYO_MS - RUN_HOUR * 3600_000).toISOString().slice(0, 10);
}

/**
 * The daily retention (preset.yaml `retention`): content past its period is erased through
 * her-content.ts, in batches of `batch` rows, each its own short transaction, so no lock is
 * held long and a run cut short simply continues at the next one. Cut-offs are counted from
 * the start of `day` in Tokyo, so two runs of the same day erase the same things. Audit rows
 * go by whole months, through the audit trail's own pruning, which records where its chain
 * restarts.
 */
export function createRetentionService(deps: {
  prisma: PrismaClient;
  periods: RetentionPeriods;
  batch?: number;
  /** When content was erased, as recorded (the machine's clock). */
  now?: () => Date;
}): RetentionService {
  const { prisma, periods } = deps;
  const batch = deps.batch ?? 500;
  const clock = deps.now ?? (() => new Date());

  async function drain(step: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await step();
      total += n;
      if (n < batch) return total;
    }
  }

  return {
    async run(day) {
      const start = new Date(`${day}T00:00:00+09:00`).getTime();
      if (Number.isNaN(start)) throw new RangeError(`not a day: ${day}`);
      const before = (days: number) => new Date(start - days * DAY_MS);
      const at = clock();
      const transcripts = await drain(() =>
        eraseEndedTranscriptsBatch(prisma, before(periods.transcriptsDays), at, batch),
      );
      const deliveries = await drain(() =>
        eraseDeliveryPayloadsBatch(prisma, before(periods.transcriptsDays), batch),
      );
      const media = await drain(() => eraseMediaBatch(prisma, before(periods.mediaDays), batch));
      const rawEvents = await drain(() =>
        eraseRawEventsBatch(prisma, before(periods.rawEventsDays), batch),
      );
      const signIns = await drain(() =>
        eraseEndedSignInsBatch(prisma, before(periods.sessionsDays), batch),
      );
      const audit = await pruneAuditBefore(prisma, before(periods.auditDays));
      return { transcripts, media, deliveries, rawEvents, signIns, auditRows: audit.removed };
    },
  };
}
