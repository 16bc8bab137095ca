import { ArchiveError } from "./errors.ts";
import type { PackOptions, PackResult } from "./types.ts";

/** Packs a tree into rootimg.cpio.gz (multi-member, incremental) or .cpio.xz. (Being implemented.) */
export async function packTree(opts: PackOptions): Promise<PackResult> {
  throw new ArchiveError(`packTree not implemented yet (${opts.tree})`, { code: "internal" });
}
