import { listAuditRoute } from "@/lib/api/contracts/audit";
import { handle } from "@/lib/api/handle";
import { listAudit } from "@/lib/db/audit";

// GET /api/audit – the audit log, filtered
export const GET = handle(listAuditRoute, async ({ query }) => listAudit(query));
