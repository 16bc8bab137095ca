import { listImagesRoute } from "@/lib/api/contracts/images";
import { handle } from "@/lib/api/handle";
import { listImageSummaries } from "@/lib/images/image-summary";
import { getBackend } from "@/lib/xcat/select-backend";

// GET /api/images – every osimage with its archive, workspace, lock and last job
export const GET = handle(listImagesRoute, async () => ({ backend: getBackend().kind, images: await listImageSummaries() }));
