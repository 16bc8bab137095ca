import { healthRoute } from "@/lib/api/contracts/health";
import { handle } from "@/lib/api/handle";
import { serverHealth } from "@/lib/health/server-health";

// GET /api/health – public health for monitoring; details only for a signed-in caller
export const GET = handle(healthRoute, async ({ user }) => {
  const h = await serverHealth();
  const body = user
    ? h
    : { ...h, checks: h.checks.map(({ name, status, freeBytes, totalBytes, role }) => ({ name, status, role, freeBytes, totalBytes })) };
  return Response.json(healthRoute.response.parse(body), {
    status: h.status === "failing" ? 503 : 200,
    headers: { "cache-control": "no-store" },
  });
});
