/**
 * What the next own pack adds to the archive and not to the tree (docs/xcat-packimage.md): the same additions the
 * pack computes (lib/images/pack-additions.ts) and the same "added by packing" lines its log will show, for the
 * review before a pack. Reads only; nothing is staged and the tree is not touched.
 */
import fs from "node:fs";
import { type OverlayChange, previewOverlayChanges } from "@/lib/archive/pack-overlay";
import { AppError } from "@/lib/errors";
import { getImageContext } from "./image-context";
import { addedByPackingLines, packAdditions } from "./pack-additions";

export async function previewPackAdditions(name: string): Promise<{ lines: string[]; changes: OverlayChange[]; notes: string[] }> {
  const ctx = await getImageContext(name);
  if (!fs.existsSync(ctx.tree)) throw new AppError("conflict", `${name} is not unpacked: there is no tree to pack`);
  const notes: string[] = [];
  const additions = await packAdditions(ctx, (line) => notes.push(line));
  const changes = additions.overlay ? await previewOverlayChanges(ctx.tree, additions.overlay) : [];
  return { lines: addedByPackingLines(changes), changes, notes };
}
