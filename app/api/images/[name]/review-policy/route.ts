import { getReviewPolicyRoute, setReviewPolicyRoute } from "@/lib/api/contracts/requests";
import { handle } from "@/lib/api/handle";
import { getImageContext } from "@/lib/images/image-context";
import { getPolicy, setPolicy } from "@/lib/requests/policy";

// GET /api/images/{name}/review-policy – what needs an approved change request
export const GET = handle(getReviewPolicyRoute, async ({ params }) => {
  await getImageContext(params.name); // 404 for an unknown image
  return getPolicy(params.name);
});

// PUT /api/images/{name}/review-policy – admins set it (audited)
export const PUT = handle(setReviewPolicyRoute, async ({ params, body, user }) => {
  await getImageContext(params.name);
  return setPolicy({ image: params.name, ...body, user });
});
