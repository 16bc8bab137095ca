import { downloadExportRoute, exportImageRoute } from "@/lib/api/contracts/images";
import { handle } from "@/lib/api/handle";
import { exportImage } from "@/lib/images/import-export-image";
import { openExportDownload } from "@/lib/images/open-export-download";

// POST /api/images/{name}/export – write <data>/exports/<name>.tgz (job)
export const POST = handle(exportImageRoute, async ({ params, user }) => ({ jobId: await exportImage({ name: params.name, user }) }));

// GET /api/images/{name}/export – download the exported bundle
export const GET = handle(downloadExportRoute, async ({ params }) => {
  const d = openExportDownload(params.name);
  return new Response(d.stream, {
    headers: {
      "content-type": "application/gzip",
      "content-disposition": `attachment; filename="${d.filename}"`,
      "content-length": String(d.size),
    },
  });
});
