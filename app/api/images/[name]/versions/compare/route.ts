import { compareVersionsRoute } from "@/lib/api/contracts/review";
import { handle } from "@/lib/api/handle";
import { compareVersions } from "@/lib/review/compare-versions";

// GET /api/images/{name}/versions/compare?from=&to= – what changed between two kept versions
export const GET = handle(compareVersionsRoute, async ({ params, query, req }) =>
  compareVersions({ image: params.name, from: query.from, to: query.to, signal: req.signal }),
);
