-- AlterTable
ALTER TABLE "conversation" ADD COLUMN     "close_reason" TEXT,
ADD COLUMN     "duration_minutes" INTEGER,
ADD COLUMN     "message_seq" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "summary_enc" BYTEA;

-- AlterTable
ALTER TABLE "message" ADD COLUMN     "seq" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "follow_up_task" (
    "id" UUID NOT NULL,
    "region_id" TEXT NOT NULL,
    "conversation_id" UUID,
    "kind" TEXT NOT NULL,
    "due_on" DATE NOT NULL,
    "owner_id" UUID NOT NULL,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" TEXT,
    "closed_at" TIMESTAMPTZ(3),
    "closed_by_id" UUID,

    CONSTRAINT "follow_up_task_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "follow_up_task_region_id_closed_at_due_on_idx" ON "follow_up_task"("region_id", "closed_at", "due_on");

-- CreateIndex
CREATE INDEX "follow_up_task_owner_id_closed_at_due_on_idx" ON "follow_up_task"("owner_id", "closed_at", "due_on");

-- CreateIndex
CREATE INDEX "follow_up_task_conversation_id_idx" ON "follow_up_task"("conversation_id");

-- Every message gets its place in its conversation: existing ones by time, then by when they
-- were recorded (the best order there is for them); the conversation keeps the last place.
UPDATE "message" m SET "seq" = o.n
FROM (SELECT id, row_number() OVER (PARTITION BY conversation_id
        ORDER BY sent_at, created_at, id) AS n FROM "message") o
WHERE m.id = o.id;
UPDATE "conversation" c SET "message_seq" = s.last
FROM (SELECT conversation_id, max(seq) AS last FROM "message" GROUP BY conversation_id) s
WHERE c.id = s.conversation_id;

-- A new message takes the next place of its conversation, in the order rows are inserted (the
-- five messages of one reply are one INSERT, in order). The conversation row's lock orders
-- writers of one conversation; a message is written with its conversation locked anyway.
CREATE OR REPLACE FUNCTION message_next_seq() RETURNS trigger AS $$
BEGIN
  UPDATE "conversation" SET "message_seq" = "message_seq" + 1
    WHERE id = NEW.conversation_id RETURNING "message_seq" INTO NEW.seq;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER message_seq BEFORE INSERT ON "message"
FOR EACH ROW EXECUTE FUNCTION message_next_seq();

-- CreateIndex
CREATE UNIQUE INDEX "message_conversation_id_seq_key" ON "message"("conversation_id", "seq");

-- AddForeignKey
ALTER TABLE "follow_up_task" ADD CONSTRAINT "follow_up_task_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "follow_up_task" ADD CONSTRAINT "follow_up_task_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "counsellor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "follow_up_task" ADD CONSTRAINT "follow_up_task_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "counsellor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "follow_up_task" ADD CONSTRAINT "follow_up_task_closed_by_id_fkey" FOREIGN KEY ("closed_by_id") REFERENCES "counsellor"("id") ON DELETE SET NULL ON UPDATE CASCADE;

