import fs from "node:fs";
import path from "node:path";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { getBackend } from "@/lib/xcat/select-backend";

/** Workspace states during which the tree is being rewritten by a job: edits would be lost or packed half-done. */
const BUSY = new Set(["unpacking", "packing"]);

/**
 * The unpacked tree (`<rootimgdir>/rootimg`) of an image, found through the image backend (xCAT or the
 * local registry). For changes, refuses while an unpack or pack job owns the tree.
 */
export async function getImageTree(name: string, opts: { forWrite?: boolean } = {}): Promise<string> {
  const image = await getBackend().getImage(name);
  const tree = path.join(image.rootimgdir, "rootimg");
  if (!fs.existsSync(tree)) {
    throw new AppError("not_found", `Image ${name} is not unpacked (${tree} does not exist); unpack it first.`);
  }
  if (opts.forWrite) {
    const ws = await prisma.workspace.findUnique({ where: { image: name } });
    if (ws && BUSY.has(ws.state)) {
      throw new AppError("conflict", `Image ${name} is ${ws.state} right now; wait for that job to finish, then retry.`);
    }
  }
  return tree;
}
