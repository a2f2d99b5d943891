-- 居場所 gatherings, their attendance and sanitary products handed out (issue #18, points 3-4;
-- src/programme/), and the once-per-person questions put to her (the awareness question).

-- AlterTable
ALTER TABLE "person" ADD COLUMN     "asked_once" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "gathering" (
    "id" UUID NOT NULL,
    "region_id" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "place" TEXT NOT NULL,
    "theme" TEXT NOT NULL,
    "head_count" INTEGER,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "gathering_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gathering_attendee" (
    "gathering_id" UUID NOT NULL,
    "person_id" UUID NOT NULL,
    "consent" TEXT NOT NULL,
    "recorded_by_id" UUID NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "gathering_attendee_pkey" PRIMARY KEY ("gathering_id","person_id")
);

-- CreateTable
CREATE TABLE "product_handout" (
    "id" UUID NOT NULL,
    "region_id" TEXT NOT NULL,
    "handed_on" DATE NOT NULL,
    "month" TEXT NOT NULL,
    "pickup_point_id" TEXT,
    "gathering_id" UUID,
    "quantity" INTEGER NOT NULL,
    "recorded_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "product_handout_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "gathering_region_id_starts_at_idx" ON "gathering"("region_id", "starts_at");

-- CreateIndex
CREATE INDEX "gathering_starts_at_idx" ON "gathering"("starts_at");

-- CreateIndex
CREATE INDEX "gathering_attendee_person_id_idx" ON "gathering_attendee"("person_id");

-- CreateIndex
CREATE INDEX "product_handout_region_id_month_idx" ON "product_handout"("region_id", "month");

-- CreateIndex
CREATE INDEX "product_handout_month_idx" ON "product_handout"("month");

-- AddForeignKey
ALTER TABLE "gathering_attendee" ADD CONSTRAINT "gathering_attendee_gathering_id_fkey" FOREIGN KEY ("gathering_id") REFERENCES "gathering"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "gathering_attendee" ADD CONSTRAINT "gathering_attendee_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_handout" ADD CONSTRAINT "product_handout_gathering_id_fkey" FOREIGN KEY ("gathering_id") REFERENCES "gathering"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

