import type { PrismaClient, Tx } from "../db/prisma-client";
import { describeError } from "../errors";
import type { Logger } from "../logger";
import {
  jobIdOf,
  type JobName,
  type JobPayload,
  type JobRequest,
  type QueuedJob,
} from "./job-catalog";
import type { JobOutbox, OutboxEntry } from "./job-outbox";
import type { JobProducer } from "./job-queue";

/** The jobs a change asks for, collected while its transaction runs. */
export interface JobIntents {
  add<N extends JobName>(name: N, payload: JobPayload<N>): void;
}

/**
 * The one way work is put on the queue: a transactional outbox. A change that needs jobs runs
 * in `transaction`: it writes its rows and names its jobs, and the jobs are written to the
 * outbox in the same transaction. Once it has committed the caller is answered and the new jobs
 * are moved to BullMQ in the background; when the queue is down they wait in the outbox, and
 * the sweep (src/worker/outbox-sweeper.ts) moves them once it is back. So a job never runs
 * against a change that rolled back, and a change that committed never loses its job.
 */
export interface JobDispatcher {
  transaction<T>(
    work: (tx: Tx, jobs: JobIntents) => Promise<T>,
    options?: { timeout?: number },
  ): Promise<T>;
  /**
   * A change made in one statement, atomic without BEGIN and COMMIT around it, that writes its
   * jobs to the outbox itself (job-outbox's `outboxInsert`, as a CTE). `work` returns its value
   * and the jobs its statement wrote; they are moved to the queue once it has returned.
   */
  single<T>(work: (db: Tx) => Promise<{ value: T; written: readonly JobRequest[] }>): Promise<T>;
  /**
   * Writes jobs outside any other change (the sweep's timers that fell due) and moves the new
   * ones to the queue; returns how many were new (work already written is not written twice).
   */
  write(requests: readonly JobRequest[]): Promise<number>;
  /**
   * Moves jobs already written to the outbox onto the queue now (the webhook ingress, whose
   * INSERT writes its own, and the sweep); rejects when the queue does not take them.
   */
  relay(jobs: readonly QueuedJob[]): Promise<void>;
  /**
   * An admin's retry of stuck work: a dead job is re-driven now, a pending one put on the queue
   * again. Null when there is no such job or it is done.
   */
  retry(key: string): Promise<OutboxEntry | null>;
  /** Waits (at most `ms`) for the moves still running after commits: for a clean stop. */
  settle(ms: number): Promise<void>;
}

const firstAttempt = (request: JobRequest): QueuedJob => ({ request, attempt: 0 });

/**
 * Jobs a process runs itself as soon as their change has committed, instead of through the
 * queue: each is one call, safe to make twice (the read receipt). "retry": it did not go through.
 */
export type RunHere = { [N in JobName]?: (payload: JobPayload<N>) => Promise<"done" | "retry"> };

export function createJobDispatcher(deps: {
  prisma: PrismaClient;
  outbox: JobOutbox;
  producer: JobProducer;
  logger: Logger;
  /**
   * Run here first: done, the outbox entry is marked done and the queue never sees the job; not
   * done (or this process died first), it goes to the queue as any other, its attempts and
   * back-off the catalog's.
   */
  runHere?: RunHere;
}): JobDispatcher {
  const { prisma, outbox, producer, logger } = deps;
  const runHere = deps.runHere ?? {};
  const running = new Set<Promise<void>>();
  const relay = (jobs: readonly QueuedJob[]) => producer.add(jobs);

  const runsHere = ({ request, attempt }: QueuedJob) =>
    attempt === 0 && runHere[request.name] !== undefined;

  /** Runs a job here; true when it is done, false when the queue is to run it. */
  async function ranHere({ request }: QueuedJob): Promise<boolean> {
    const run = runHere[request.name] as (payload: unknown) => Promise<"done" | "retry">;
    try {
      if ((await run(request.payload)) !== "done") return false;
      await outbox.markDone(jobIdOf(request));
      return true;
    } catch (error) {
      logger.debug(
        { job: request.name, err: describeError(error) },
        "job run after commit did not finish; the queue runs it",
      );
      return false;
    }
  }

  async function queueUnlessRunHere(jobs: readonly QueuedJob[]) {
    await Promise.all([
      relay(jobs.filter((j) => !runsHere(j))),
      ...jobs.filter(runsHere).map(async (job) => {
        if (!(await ranHere(job))) await relay([job]);
      }),
    ]);
  }

  function relayInBackground(jobs: readonly QueuedJob[]) {
    if (jobs.length === 0) return;
    const move = queueUnlessRunHere(jobs)
      .catch((error: unknown) => {
        // The producer reports the queue being down (throttled); the sweep moves these later.
        logger.debug(
          { jobs: jobs.map((j) => j.request.name), err: describeError(error) },
          "queue did not take jobs after commit; they wait in the outbox",
        );
      })
      .finally(() => running.delete(move));
    running.add(move);
  }

  return {
    relay,
    async write(requests) {
      if (requests.length === 0) return 0;
      const fresh = await prisma.$transaction((tx) => outbox.write(tx, requests));
      relayInBackground(fresh.map(firstAttempt));
      return fresh.length;
    },
    async single(work) {
      const { value, written } = await work(prisma);
      relayInBackground(written.map(firstAttempt));
      return value;
    },
    async transaction(work, options) {
      let fresh: JobRequest[] = [];
      const result = await prisma.$transaction(async (tx) => {
        const requests: JobRequest[] = [];
        const jobs: JobIntents = {
          add: (name, payload) => requests.push({ name, payload } as JobRequest),
        };
        const value = await work(tx, jobs);
        fresh = await outbox.write(tx, requests);
        return value;
      }, options);
      relayInBackground(fresh.map(firstAttempt));
      return result;
    },
    async retry(key) {
      const entry = await outbox.find(key);
      if (!entry || entry.state === "done") return null;
      const current = entry.state === "dead" ? await outbox.redrive(key, new Date()) : entry;
      if (current) relayInBackground([{ request: current.request, attempt: current.attempt }]);
      return current;
    },
    async settle(ms) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
      await Promise.race([Promise.allSettled([...running]), deadline]);
      clearTimeout(timer);
    },
  };
}
