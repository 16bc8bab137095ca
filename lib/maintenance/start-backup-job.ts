import type { SessionUser } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { startJob } from "@/lib/jobs/start-job";
import { backupDatabase } from "./backup-database";

/** Starts the database backup as a job (one at a time). */
export function startBackupJob(user: SessionUser): Promise<string> {
  return startJob({
    type: "maintenance.backup",
    user,
    unit: "bytes",
    sole: true,
    run: (ctx) => backupDatabase(ctx, { dataDir: env().dataDir }),
  });
}
