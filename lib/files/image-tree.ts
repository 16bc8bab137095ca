import fs from "node:fs";
import path from "node:path";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { getBackend } from "@/lib/xcat/select-backend";

/** Workspace states during which the tree is being rewritten by a job: edits would be lost or packed half-done. */
const BUSY = new Set(["unpacking", "packing"]);

// rootimgdir by image name. With the xCAT backend each lookup runs `lsdef` (a Perl start-up, ~0.5 s):
// far too slow for every keystroke-save or tree expansion, and rootimgdir practically never changes.
const TTL_MS = 60_000;
const g = globalThis as unknown as { rootimgTreeCache?: Map<string, { dir: string; at: number }> };
const cache = (g.rootimgTreeCache ??= new Map());

async function rootimgdirOf(name: string): Promise<string> {
  const hit = cache.get(name);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.dir;
  const image = await getBackend().getImage(name);
  cache.set(name, { dir: image.rootimgdir, at: Date.now() });
  return image.rootimgdir;
}

/**
 * The unpacked tree (`<rootimgdir>/rootimg`) of an image, found through the image backend (xCAT or the
 * local registry). For changes, refuses while an unpack or pack job owns the tree.
 */
export async function getImageTree(name: string, opts: { forWrite?: boolean } = {}): Promise<string> {
  const tree = path.join(await rootimgdirOf(name), "rootimg");
  if (!fs.existsSync(tree)) {
    cache.delete(name); // maybe moved or deleted: look it up again next time
    throw new AppError("not_found", `Image ${name} is not unpacked (${tree} does not exist); unpack it first.`);
  }
  if (opts.forWrite) {
    const ws = await prisma.workspace.findUnique({ where: { image: name } });
    if (ws && BUSY.has(ws.state)) {
      throw new AppError("conflict", `Image ${name} is ${ws.state} right now; wait for that job to finish, then retry.`, { details: { reason: "image-busy" } });
    }
  }
  return tree;
}
