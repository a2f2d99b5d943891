-- The open region whose queue she is in while her own region is closed (or that a counsellor
-- chose); her own region (region_id) stays hers for the statistics.
-- AlterTable
ALTER TABLE "conversation" ADD COLUMN     "serving_region_id" TEXT;
