import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { uploadFileRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { AppError } from "@/lib/errors";
import { getImageTree } from "@/lib/files/image-tree";
import { runFileChange } from "@/lib/files/record-file-change";
import { uploadFile } from "@/lib/image/upload-file";
import { mayMakePrivileged } from "@/lib/security/privileged-modes";

// PUT /api/images/{name}/files/upload – raw body streamed into the image
export const PUT = handle(uploadFileRoute, async ({ user, params, query, req }) => {
  if (!req.body) throw new AppError("bad_request", "The upload has no body.");
  const root = await getImageTree(params.name);
  const keepPrivilegedBits = await mayMakePrivileged(user, params.name);
  const body = Readable.fromWeb(req.body as unknown as WebReadableStream<Uint8Array>);
  const r = await runFileChange(
    {
      user,
      image: params.name,
      tree: root,
      kind: "upload",
      action: "file.upload",
      target: `${query.dir}/${query.filename}`,
      streaming: true,
    },
    () =>
      uploadFile({
        root,
        dir: query.dir,
        name: query.filename,
        body,
        onConflict: query.onConflict,
        maxBytes: uploadFileRoute.maxBodyBytes,
        keepPrivilegedBits,
      }),
    (x) => ({ paths: [x.entry.path], detail: { bytes: x.bytes, replaced: x.replaced } }),
  );
  return Response.json(r, { status: 201 });
});
