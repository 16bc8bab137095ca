import { importImageRoute } from "@/lib/api/contracts/images";
import { handle } from "@/lib/api/handle";
import { importImage } from "@/lib/images/import-export-image";

// POST /api/images/import – import a bundle from a path on the server (job)
export const POST = handle(importImageRoute, async ({ body, user }) => ({
  jobId: await importImage({ user, bundlePath: body.path, profile: body.profile }),
}));
