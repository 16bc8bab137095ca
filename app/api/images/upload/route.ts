import { uploadImageRoute } from "@/lib/api/contracts/images";
import { handle } from "@/lib/api/handle";
import { importUploadedBundle } from "@/lib/images/import-uploaded-bundle";

// PUT /api/images/upload?profile=X – the raw body is a bundle; stored by lib/images, then imported (job)
export const PUT = handle(uploadImageRoute, async ({ req, query, user }) => ({
  jobId: await importUploadedBundle({
    user,
    body: req.body,
    profile: query.profile,
    signal: req.signal,
    maxBytes: uploadImageRoute.maxBodyBytes,
  }),
}));
