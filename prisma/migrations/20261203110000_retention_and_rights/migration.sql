-- Retention and her rights (src/privacy/): content is erased (columns set to NULL, media chunks
-- deleted) while the coded rows the statistics are made of stay. The statistics triggers read
-- none of these columns, so no fact changes.

-- AlterTable
ALTER TABLE "person" ADD COLUMN     "erased_at" TIMESTAMPTZ(3),
ALTER COLUMN "line_user_id_enc" DROP NOT NULL;

-- AlterTable
ALTER TABLE "webhook_event" ALTER COLUMN "payload_enc" DROP NOT NULL;

-- AlterTable
ALTER TABLE "conversation" ADD COLUMN     "content_erased_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "outbound_delivery" ALTER COLUMN "payload_enc" DROP NOT NULL;

-- AlterTable
ALTER TABLE "conversation_note" ALTER COLUMN "text_enc" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "conversation_closed_at_idx" ON "conversation"("closed_at");
