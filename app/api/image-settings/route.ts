import { getRetentionRoute, setRetentionRoute } from "@/lib/api/contracts/images";
import { handle } from "@/lib/api/handle";
import { getRetention, setRetention } from "@/lib/images/versions";

// GET /api/image-settings – versions kept per image
export const GET = handle(getRetentionRoute, async () => ({ retention: await getRetention() }));

// PUT /api/image-settings – admins set the retention (audited)
export const PUT = handle(setRetentionRoute, async ({ body, user }) => ({
  retention: await setRetention({ retention: body.retention, user }),
}));
