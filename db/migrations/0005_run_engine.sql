CREATE TYPE "public"."run_engine" AS ENUM('embedded', 'temporal');--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "engine" "run_engine" DEFAULT 'embedded' NOT NULL;