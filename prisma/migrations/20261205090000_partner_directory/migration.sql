-- The partner directory (issue #18, point 2; src/partners/): agencies a counsellor refers her
-- to, seeded from the preset at start and edited by admins in the console.

-- CreateTable
CREATE TABLE "partner" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "regions" TEXT[],
    "topics" TEXT[],
    "phone" TEXT,
    "hours" TEXT,
    "address" TEXT,
    "how_to_refer" TEXT,
    "to_confirm" BOOLEAN NOT NULL DEFAULT false,
    "preset_key" TEXT,
    "archived_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "partner_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "partner_preset_key_key" ON "partner"("preset_key");
