-- Idempotency-Key of console changes (src/http/idempotency.ts): a retried send, note or claim
-- answers what the first one did instead of doing it twice. Rows older than 24 hours are pruned.

-- CreateTable
CREATE TABLE "idempotency_key" (
    "counsellor_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "response_status" SMALLINT,
    "response_body" TEXT,

    CONSTRAINT "idempotency_key_pkey" PRIMARY KEY ("counsellor_id","key")
);

-- CreateIndex
CREATE INDEX "idempotency_key_created_at_idx" ON "idempotency_key"("created_at");

-- AddForeignKey
ALTER TABLE "idempotency_key" ADD CONSTRAINT "idempotency_key_counsellor_id_fkey" FOREIGN KEY ("counsellor_id") REFERENCES "counsellor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

