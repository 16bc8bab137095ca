/** The last exported bundle of an image (`<data>/exports/<name>.tgz`), as a stream for the download route. */
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { AppError } from "@/lib/errors";
import { exportsDir } from "./import-export-image";

export type ExportDownload = { stream: ReadableStream<Uint8Array>; size: number; filename: string };

export function openExportDownload(name: string): ExportDownload {
  const file = path.join(exportsDir(), `${name}.tgz`);
  // Open first, then stat the open descriptor: a new export renamed over the name meanwhile cannot mix sizes.
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new AppError("not_found", `no export of ${name} yet; export it first`);
    throw e;
  }
  const size = fs.fstatSync(fd).size;
  const stream = Readable.toWeb(fs.createReadStream("", { fd })) as unknown as ReadableStream<Uint8Array>;
  return { stream, size, filename: `${name}.tgz` };
}
