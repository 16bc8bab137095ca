/**
 * Where an image's pieces are, from its osimage attributes: the workspace tree `<rootimgdir>/rootimg`, the
 * published archive (xCAT's search order), the lock. Shared by the jobs, the pages and the files helper.
 */
import fs from "node:fs";
import path from "node:path";
import { AppError } from "@/lib/errors";
import type { ImageBackend, OsImage } from "@/lib/xcat/image-backend";
import { findPackedArchive } from "@/lib/xcat/packed-archive";
import { getBackend } from "@/lib/xcat/select-backend";

export type ImageContext = { image: OsImage; backend: ImageBackend; rootimgdir: string; tree: string; archive?: string };

export async function getImageContext(name: string, backend: ImageBackend = getBackend()): Promise<ImageContext> {
  const image = await backend.getImage(name);
  const rootimgdir = image.rootimgdir;
  return { image, backend, rootimgdir, tree: path.join(rootimgdir, "rootimg"), archive: findPackedArchive(rootimgdir) };
}

/** rootimgdir must exist and be writable before we start a job that writes there. */
export function assertWritableDir(dir: string): void {
  if (!fs.existsSync(dir)) throw new AppError("unprocessable", `rootimgdir ${dir} does not exist; create it or fix linuximage.rootimgdir`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    const probe = path.join(dir, `.rootimg-write-probe-${process.pid}`);
    fs.writeFileSync(probe, "");
    fs.rmSync(probe);
  } catch (e) {
    throw new AppError(
      "unprocessable",
      `rootimgdir ${dir} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check its permissions and mount`,
    );
  }
}
