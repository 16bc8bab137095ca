/**
 * An uploaded image bundle: the request body is stored in `<data>/uploads` (temp name, 0600, removed on a
 * failed upload and after the import job), then imported as a job like a bundle given by path.
 */
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { byteCap } from "@/lib/api/body-limit";
import { AppError, isAppError } from "@/lib/errors";
import type { JobUser } from "@/lib/jobs/job-types";
import { importImage, uploadsDir } from "./import-export-image";

export type ImportUploadedBundleOptions = {
  user: JobUser & {};
  body: ReadableStream<Uint8Array> | null;
  profile?: string;
  signal?: AbortSignal;
  /** the largest bundle taken (413 past it; the partial file is removed) */
  maxBytes?: number;
};

export async function importUploadedBundle(opts: ImportUploadedBundleOptions): Promise<string> {
  if (!opts.body) throw new AppError("bad_request", "send the bundle (.tgz) as the request body");
  fs.mkdirSync(uploadsDir(), { recursive: true });
  const file = path.join(uploadsDir(), `upload-${Date.now()}-${process.pid}-${Math.random().toString(16).slice(2, 8)}.tgz`);
  try {
    const source = Readable.fromWeb(opts.body as WebReadableStream<Uint8Array>);
    const sink = fs.createWriteStream(file, { flags: "wx", mode: 0o600 });
    await (opts.maxBytes === undefined
      ? pipeline(source, sink, { signal: opts.signal })
      : pipeline(source, byteCap(opts.maxBytes), sink, { signal: opts.signal }));
  } catch (e) {
    fs.rmSync(file, { force: true });
    if (isAppError(e)) throw e;
    throw new AppError("bad_request", `the upload of the bundle did not complete (${(e as Error).message}); send it again`, { cause: e });
  }
  if (fs.statSync(file).size === 0) {
    fs.rmSync(file, { force: true });
    throw new AppError("bad_request", "the uploaded bundle is empty; send the .tgz that imgexport wrote");
  }
  return importImage({ user: opts.user, bundlePath: file, profile: opts.profile, removeAfter: true });
}
