import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { uploadImageRoute } from "@/lib/api/contracts/images";
import { handle } from "@/lib/api/handle";
import { AppError } from "@/lib/errors";
import { importImage, uploadsDir } from "@/lib/images/import-export-image";

// PUT /api/images/upload?profile=X – the raw body is a bundle; stored in <data>/uploads, then imported (job)
export const PUT = handle(uploadImageRoute, async ({ req, query, user }) => {
  if (!req.body) throw new AppError("bad_request", "send the bundle (.tgz) as the request body");
  fs.mkdirSync(uploadsDir(), { recursive: true });
  const file = path.join(uploadsDir(), `upload-${Date.now()}-${process.pid}.tgz`);
  try {
    await pipeline(Readable.fromWeb(req.body as import("node:stream/web").ReadableStream), fs.createWriteStream(file, { flags: "wx", mode: 0o600 }));
  } catch (e) {
    fs.rmSync(file, { force: true });
    throw e;
  }
  return { jobId: await importImage({ user, bundlePath: file, profile: query.profile, removeAfter: true }) };
});
