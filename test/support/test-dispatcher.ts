import { createJobDispatcher, type JobDispatcher } from "../../src/jobs/job-dispatch";
import { createJobOutbox } from "../../src/jobs/job-outbox";
import type { JobProducer } from "../../src/jobs/job-queue";
import { createLogger } from "../../src/logger";
import type { TestDatabase } from "./test-env";

/** The service's job dispatcher on a test's database and queue, for tests that build parts. */
export function testDispatcher(db: TestDatabase, producer: JobProducer): JobDispatcher {
  return createJobDispatcher({
    prisma: db.prisma,
    outbox: createJobOutbox(db.prisma),
    producer,
    logger: createLogger("silent"),
  });
}
