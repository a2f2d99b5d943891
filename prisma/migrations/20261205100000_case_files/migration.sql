-- Case files (issue #18, point 1; src/casefile/, src/tasks/): a task follows a manual entry or a
-- woman's file (her LINE person, or a case number of its region), a 訪問 or 同行 has its
-- appointment time and (同行) its partner, and a task closed as done keeps the consultation it
-- recorded (unique: recorded once).
-- AlterTable
ALTER TABLE "follow_up_task" ADD COLUMN     "appointment_time" TEXT,
ADD COLUMN     "case_ref" TEXT,
ADD COLUMN     "done_entry_id" UUID,
ADD COLUMN     "entry_id" UUID,
ADD COLUMN     "partner_id" UUID,
ADD COLUMN     "person_id" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "follow_up_task_done_entry_id_key" ON "follow_up_task"("done_entry_id");

-- CreateIndex
CREATE INDEX "follow_up_task_entry_id_idx" ON "follow_up_task"("entry_id");

-- CreateIndex
CREATE INDEX "follow_up_task_person_id_idx" ON "follow_up_task"("person_id");

-- CreateIndex
CREATE INDEX "follow_up_task_region_id_case_ref_idx" ON "follow_up_task"("region_id", "case_ref");

-- AddForeignKey
ALTER TABLE "follow_up_task" ADD CONSTRAINT "follow_up_task_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "consultation_entry"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "follow_up_task" ADD CONSTRAINT "follow_up_task_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "follow_up_task" ADD CONSTRAINT "follow_up_task_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partner"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "follow_up_task" ADD CONSTRAINT "follow_up_task_done_entry_id_fkey" FOREIGN KEY ("done_entry_id") REFERENCES "consultation_entry"("id") ON DELETE SET NULL ON UPDATE CASCADE;

