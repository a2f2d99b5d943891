import type { PrismaClient, Tx } from "../db/prisma-client";
import { describeError } from "../errors";
import type { Logger } from "../logger";
import type { JobName, JobPayload, JobRequest } from "./job-catalog";
import type { JobProducer } from "./job-queue";

/** The jobs a change asks for, collected while its transaction runs. */
export interface JobIntents {
  add<N extends JobName>(name: N, payload: JobPayload<N>): void;
}

/**
 * The one way work is put on the queue. A change that needs jobs runs in `transaction`: it
 * writes its rows and names its jobs, and the jobs are added once it has committed, so a job
 * never runs against a change that rolled back.
 *
 * Adding after commit is best effort: when the queue is down the change still stands and the
 * caller is answered; what it stored (events, deliveries, timers, media) is found again by the
 * outbox sweep. A transactional outbox (the intents written in the same transaction, a
 * dispatcher moving them to the queue) replaces the body of `transaction` and nothing else.
 */
export interface JobDispatcher {
  transaction<T>(
    work: (tx: Tx, jobs: JobIntents) => Promise<T>,
    options?: { timeout?: number },
  ): Promise<T>;
  /** Adds jobs now, outside any change (the ingress, the outbox sweep); rejects when it fails. */
  dispatch(requests: readonly JobRequest[]): Promise<void>;
}

export function createJobDispatcher(deps: {
  prisma: PrismaClient;
  producer: JobProducer;
  logger: Logger;
}): JobDispatcher {
  const { prisma, producer, logger } = deps;
  const dispatch = (requests: readonly JobRequest[]) => producer.add(requests);
  return {
    dispatch,
    async transaction(work, options) {
      let requests: JobRequest[] = [];
      const result = await prisma.$transaction(async (tx) => {
        requests = [];
        const jobs: JobIntents = {
          add: (name, payload) => requests.push({ name, payload } as JobRequest),
        };
        return work(tx, jobs);
      }, options);
      await dispatch(requests).catch((error: unknown) => {
        logger.warn(
          { jobs: requests.map((r) => r.name), err: describeError(error) },
          "queue unavailable after commit; the outbox sweep picks the stored work up",
        );
      });
      return result;
    },
  };
}
