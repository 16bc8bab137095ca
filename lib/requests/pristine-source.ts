/**
 * The one place change requests read the pristine side of a change (the image as last published).
 * TEMPORARY until lib/review/pristine-store.ts lands: metadata from the tree's pristine manifest, content not kept.
 */
import { readManifest } from "@/lib/archive";
import { AppError } from "@/lib/errors";
import { getImageTree } from "@/lib/files/image-tree";

export type PristineEntry = {
  type: "file" | "dir" | "symlink" | "char" | "block" | "fifo" | "socket";
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  sha256?: string;
  linkTarget?: string;
  content(): Promise<Buffer>;
};

export async function readPristine(image: string, imagePath: string): Promise<PristineEntry | null> {
  const m = await readManifest(await getImageTree(image));
  const rel = imagePath.replace(/^\/+/, "") || ".";
  const e = m?.entries.find((x) => x.path === rel);
  if (!e) return null;
  return {
    type: e.type as PristineEntry["type"], mode: e.mode, uid: e.uid, gid: e.gid, size: e.size, mtime: e.mtime, sha256: e.sha256, linkTarget: e.target,
    content: async () => {
      throw new AppError("unavailable", `the pristine content of ${imagePath} is not kept`);
    },
  };
}
