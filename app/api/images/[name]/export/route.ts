import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { downloadExportRoute, exportImageRoute } from "@/lib/api/contracts/images";
import { handle } from "@/lib/api/handle";
import { AppError } from "@/lib/errors";
import { exportImage, exportsDir } from "@/lib/images/import-export-image";

// POST /api/images/{name}/export – write <data>/exports/<name>.tgz (job)
export const POST = handle(exportImageRoute, async ({ params, user }) => ({ jobId: await exportImage({ name: params.name, user }) }));

// GET /api/images/{name}/export – download the exported bundle
export const GET = handle(downloadExportRoute, async ({ params }) => {
  const file = path.join(exportsDir(), `${params.name}.tgz`);
  if (!fs.existsSync(file)) throw new AppError("not_found", `no export of ${params.name} yet; export it first`);
  const stream = Readable.toWeb(fs.createReadStream(file)) as ReadableStream;
  return new Response(stream, { headers: { "content-type": "application/gzip", "content-disposition": `attachment; filename="${params.name}.tgz"`, "content-length": String(fs.statSync(file).size) } });
});
