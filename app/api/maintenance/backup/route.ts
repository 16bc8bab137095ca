import { backupDatabaseRoute } from "@/lib/api/contracts/maintenance";
import { handle } from "@/lib/api/handle";
import { startBackupJob } from "@/lib/maintenance/start-backup-job";

// POST /api/maintenance/backup – start a database backup job
export const POST = handle(backupDatabaseRoute, async ({ user }) => ({ jobId: await startBackupJob(user) }));
