import { changeDiffRoute } from "@/lib/api/contracts/review";
import { handle } from "@/lib/api/handle";
import { changeDiffOf } from "@/lib/review/change-diff";
import { contentHiddenFor } from "@/lib/review/content-access";

// GET /api/images/{name}/changes/diff?path= – one pending change against the pristine image
export const GET = handle(changeDiffRoute, async ({ params, query, user }) => {
  const hideContent = await contentHiddenFor(user, params.name, query.path);
  return Response.json(await changeDiffOf(params.name, query.path, { hideContent }), { headers: { "cache-control": "no-store" } });
});
