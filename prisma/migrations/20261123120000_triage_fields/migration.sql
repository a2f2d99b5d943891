
-- DropIndex
DROP INDEX "conversation_status_idx";

-- AlterTable
ALTER TABLE "conversation" ADD COLUMN     "age_band" TEXT,
ADD COLUMN     "end_reason" TEXT,
ADD COLUMN     "flow_state" JSONB,
ADD COLUMN     "flow_version" TEXT,
ADD COLUMN     "handoff_reason" TEXT,
ADD COLUMN     "municipality" TEXT,
ADD COLUMN     "out_of_hours" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "preset_id" TEXT,
ADD COLUMN     "region_id" TEXT,
ADD COLUMN     "region_source" TEXT,
ADD COLUMN     "risk_categories" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "risk_level" TEXT NOT NULL DEFAULT 'none',
ADD COLUMN     "silence_due_at" TIMESTAMPTZ(3),
ADD COLUMN     "support_wish" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "topics" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "triage_answers" JSONB,
ADD COLUMN     "waiting_since" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "conversation_status_region_id_risk_level_waiting_since_idx" ON "conversation"("status", "region_id", "risk_level", "waiting_since");

-- CreateIndex
CREATE INDEX "conversation_silence_due_at_idx" ON "conversation"("silence_due_at");

