import fs from "node:fs";
import path from "node:path";
import { verifyArchive } from "@/lib/archive";
import { AppError, isAppError } from "@/lib/errors";
import { readBundle } from "@/lib/xcat/bundle/read-bundle";

/**
 * Reads the root image archive a bundle carries end to end, as `rootimg verify` does (gzip CRCs, headers,
 * sizes, trailer, entry names), and refuses the bundle with the verifier's message when it fails: an
 * archive that cannot be unpacked must not become an image with a live version. Works on a temporary copy
 * (the bundle is extracted again by the import), so the check is the same for both backends.
 */
export async function verifyBundleArchive(opts: {
  bundlePath: string;
  tmpParent: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}): Promise<void> {
  const bundle = await readBundle({ bundlePath: opts.bundlePath, tmpParent: opts.tmpParent, signal: opts.signal });
  try {
    const named = bundle.manifest.rootimg;
    if (!named) return; // a bundle without a packed image (xCAT allows it): nothing to verify
    const file = path.join(bundle.imageDir, path.basename(named));
    if (!fs.existsSync(file))
      throw new AppError("unprocessable", `image bundle refused: ${path.basename(named)} named in manifest.xml is missing`);
    try {
      const r = await verifyArchive({ archive: file, signal: opts.signal });
      opts.log?.(`verified ${path.basename(named)}: ${r.entries} entries`);
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      // The verifier names the temporary copy; the admin knows the file by its name in the bundle.
      const why = (isAppError(e) || e instanceof Error ? e.message : String(e)).split(`${file}: `).join("");
      throw new AppError(
        "unprocessable",
        `image bundle refused: ${path.basename(named)} is not a valid root image archive (${why}); nothing was imported`,
      );
    }
  } finally {
    bundle.dispose();
  }
}
