import { openApiRoute } from "@/lib/api/contracts/maintenance";
import { handle } from "@/lib/api/handle";
import { buildOpenApi } from "@/lib/api/openapi";

// GET /api/openapi.json – the API description, generated from the route contracts
export const GET = handle(openApiRoute, async () => Response.json(buildOpenApi()));
