import { createJobDispatcher, type JobDispatcher } from "../../src/jobs/job-dispatch";
import { createJobOutbox, type JobOutbox } from "../../src/jobs/job-outbox";
import type { JobProducer } from "../../src/jobs/job-queue";
import { createLogger } from "../../src/logger";
import type { TestDatabase } from "./test-env";

/** The service's job outbox and dispatcher on a test's database and queue, for tests that build parts. */
export function testJobs(
  db: TestDatabase,
  producer: JobProducer,
): { dispatcher: JobDispatcher; outbox: JobOutbox } {
  const outbox = createJobOutbox(db.prisma);
  const dispatcher = createJobDispatcher({
    prisma: db.prisma,
    outbox,
    producer,
    logger: createLogger("silent"),
  });
  return { dispatcher, outbox };
}
