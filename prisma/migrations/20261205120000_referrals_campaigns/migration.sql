-- Referral records and publicity campaigns (issue #18, points 2 and 5; src/partners/,
-- src/campaigns/): a referral of her to a directory partner with her consent and its outcome;
-- campaigns and their scans, counted per month with nothing about the person.

-- CreateTable
CREATE TABLE "referral" (
    "id" UUID NOT NULL,
    "region_id" TEXT NOT NULL,
    "conversation_id" UUID,
    "entry_id" UUID,
    "partner_id" UUID NOT NULL,
    "consent" TEXT NOT NULL,
    "outcome" TEXT NOT NULL DEFAULT 'pending',
    "follow_up_on" DATE,
    "follow_up_task_id" UUID,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome_at" TIMESTAMPTZ(3),

    CONSTRAINT "referral_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaign" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "region_id" TEXT,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaign_scan" (
    "campaign_key" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "scans" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "campaign_scan_pkey" PRIMARY KEY ("campaign_key","month")
);

-- CreateIndex
CREATE INDEX "referral_conversation_id_idx" ON "referral"("conversation_id");

-- CreateIndex
CREATE INDEX "referral_entry_id_idx" ON "referral"("entry_id");

-- CreateIndex
CREATE INDEX "referral_region_id_created_at_idx" ON "referral"("region_id", "created_at");

-- CreateIndex
CREATE INDEX "referral_partner_id_idx" ON "referral"("partner_id");

-- CreateIndex
CREATE UNIQUE INDEX "campaign_code_key" ON "campaign"("code");

-- AddForeignKey
ALTER TABLE "referral" ADD CONSTRAINT "referral_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "referral" ADD CONSTRAINT "referral_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "consultation_entry"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "referral" ADD CONSTRAINT "referral_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "referral" ADD CONSTRAINT "referral_follow_up_task_id_fkey" FOREIGN KEY ("follow_up_task_id") REFERENCES "follow_up_task"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "referral" ADD CONSTRAINT "referral_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "counsellor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

