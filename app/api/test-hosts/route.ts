import { createTestHostRoute } from "@/lib/api/contracts/nodes";
import { handle } from "@/lib/api/handle";
import { createTestHost } from "@/lib/nodes/test-hosts";

// POST /api/test-hosts – define a test host
export const POST = handle(createTestHostRoute, async ({ body }) => createTestHost(body));
