import { readFileRoute, saveFileRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { AppError } from "@/lib/errors";
import { getImageTree } from "@/lib/files/image-tree";
import { runFileChange } from "@/lib/files/record-file-change";
import { readImageFile } from "@/lib/image/read-image-file";
import { saveImageFile } from "@/lib/image/save-image-file";

// GET /api/images/{name}/files/content – open a file for the editor
export const GET = handle(readFileRoute, async ({ params, query }) => {
  const file = readImageFile(await getImageTree(params.name), query.path);
  return Response.json(file, { headers: { etag: `"${file.etag}"`, "cache-control": "no-store" } });
});

// PUT /api/images/{name}/files/content – save; a stale If-Match/etag gets 409 with the current etag
export const PUT = handle(saveFileRoute, async ({ user, params, body, req }) => {
  const etag = req.headers.get("if-match")?.replace(/^W\//, "").replace(/"/g, "") ?? body.etag;
  if (!etag) throw new AppError("bad_request", "Send the etag from the read (If-Match header) so a concurrent change is not overwritten.");
  const root = await getImageTree(params.name);
  return runFileChange(
    { user, image: params.name, tree: root, kind: "content", action: "file.save", target: body.path },
    () => saveImageFile({ root, path: body.path, content: body.content, encoding: body.encoding, etag }),
    (r) => ({ paths: [r.entry.path], detail: { etag: r.etag, previousEtag: etag, bytes: r.bytes, inPlace: r.inPlace } }),
  );
});
