import fs from "node:fs";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { getBackend } from "@/lib/xcat/select-backend";

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
 * local registry). Who may change it now is the image gate's decision (runFileChange enters it).
 */
export async function getImageTree(name: string): Promise<string> {
  const tree = path.join(await rootimgdirOf(name), "rootimg");
  if (!fs.existsSync(tree)) {
    cache.delete(name); // maybe moved or deleted: look it up again next time
    throw new AppError("not_found", `Image ${name} is not unpacked (${tree} does not exist); unpack it first.`);
  }
  return tree;
}
