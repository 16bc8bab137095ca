import fs from "node:fs";
import path from "node:path";

/** xCAT's search order (SvrUtils searchcompressedrootimg, docs/xcat-packimage.md): the first found is what nodes boot. */
export const PACKED_NAMES = [
  "rootimg.cpio.gz",
  "rootimg.cpio.xz",
  "rootimg.tar.gz",
  "rootimg.tar.xz",
  "rootimg.sfs",
  "rootimg.gz",
] as const;

export function findPackedArchive(rootimgdir: string): string | undefined {
  for (const n of PACKED_NAMES) {
    const p = path.join(rootimgdir, n);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}
