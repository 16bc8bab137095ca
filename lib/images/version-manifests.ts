/**
 * The pristine manifest that goes with each published version, kept beside the kept archives
 * (`<rootimgdir>/.rootimg-studio/versions/manifest-<seq>.json`). A pack makes the packed tree's state the
 * pristine one and keeps a copy for its version; a rollback puts the copy of the version it republishes back,
 * so "pending changes" always means "not in the archive nodes boot now".
 */
import fs from "node:fs";
import path from "node:path";
import { versionManifestFile } from "@/lib/archive/archive-versions";
import { manifestPathFor } from "@/lib/archive/manifest";
import { prisma } from "@/lib/db/client";
import { versionsDir } from "./versions";

export function versionManifestPath(rootimgdir: string, seq: number): string {
  return versionManifestFile(versionsDir(rootimgdir), seq);
}

/** Copy via a temp name + rename: neither name is ever half-written. */
function copyAtomic(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.tmp-${process.pid}`;
  fs.copyFileSync(from, tmp);
  fs.renameSync(tmp, to);
}

/** Keeps the tree's current pristine manifest as the one of version `seq`. */
export function keepVersionManifest(opts: { rootimgdir: string; seq: number; tree: string }): boolean {
  const src = manifestPathFor(opts.tree);
  if (!fs.existsSync(src)) return false;
  copyAtomic(src, versionManifestPath(opts.rootimgdir, opts.seq));
  return true;
}

/** Makes version `seq`'s manifest the tree's pristine one; false when that version has none (published elsewhere). */
export function restoreVersionManifest(opts: { rootimgdir: string; seq: number; tree: string }): boolean {
  const kept = versionManifestPath(opts.rootimgdir, opts.seq);
  if (!fs.existsSync(kept) || !fs.existsSync(opts.tree)) return false;
  copyAtomic(kept, manifestPathFor(opts.tree));
  return true;
}

/**
 * After an unpack: the manifest just written is exactly the live archive's state. If the live version has no
 * manifest yet (imported, the demo's first archive, one xCAT packed), keep it for a later rollback to it.
 */
export async function keepManifestOfLiveVersion(opts: { image: string; rootimgdir: string; archive: string; tree: string }): Promise<void> {
  const live = await prisma.imageVersion.findFirst({ where: { image: opts.image, live: true } });
  if (!live || fs.existsSync(versionManifestPath(opts.rootimgdir, live.seq))) return;
  try {
    if (fs.statSync(live.file).ino !== fs.statSync(opts.archive).ino) return;
  } catch {
    return;
  }
  keepVersionManifest({ rootimgdir: opts.rootimgdir, seq: live.seq, tree: opts.tree });
}
