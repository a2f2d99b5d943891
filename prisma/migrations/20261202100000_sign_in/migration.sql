-- Sign-in (issue #14): counting moves to rate-limiter-flexible's table sign_in_limit, shared by
-- every web process. The old per-account count and lock go: a lock in force when this runs ends
-- here (at most 15 minutes early); the new account budget starts empty. Second factor: a sealed
-- TOTP secret per account, hashed recovery codes, and the short-lived state between password and code.

-- AlterTable
ALTER TABLE "counsellor" DROP COLUMN "failed_logins",
DROP COLUMN "locked_until",
ADD COLUMN     "second_factor_at" TIMESTAMPTZ(3),
ADD COLUMN     "totp_last_step" INTEGER,
ADD COLUMN     "totp_secret" BYTEA;

-- CreateTable
CREATE TABLE "recovery_code" (
    "id" UUID NOT NULL,
    "counsellor_id" UUID NOT NULL,
    "code_hash" TEXT NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "recovery_code_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sign_in_challenge" (
    "id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "counsellor_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sign_in_challenge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sign_in_limit" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "sign_in_limit_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "recovery_code_counsellor_id_code_hash_key" ON "recovery_code"("counsellor_id", "code_hash");

-- CreateIndex
CREATE UNIQUE INDEX "sign_in_challenge_token_hash_key" ON "sign_in_challenge"("token_hash");

-- CreateIndex
CREATE INDEX "sign_in_challenge_counsellor_id_idx" ON "sign_in_challenge"("counsellor_id");

-- AddForeignKey
ALTER TABLE "recovery_code" ADD CONSTRAINT "recovery_code_counsellor_id_fkey" FOREIGN KEY ("counsellor_id") REFERENCES "counsellor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sign_in_challenge" ADD CONSTRAINT "sign_in_challenge_counsellor_id_fkey" FOREIGN KEY ("counsellor_id") REFERENCES "counsellor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

