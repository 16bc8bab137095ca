import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { ChrootError } from "./chroot-error";
import type { EffectEntry } from "./effect";
import type { OverlayXattrs } from "./overlay-effect";

const run = promisify(execFile);

export type ApplyEffectOptions = {
  tree: string;
  /** the run's upper layer: new and changed entries are moved from here into the tree */
  upper: string;
  effect: EffectEntry[];
  /** where changed files' old inodes and removed entries are moved aside (beside the tree, same file system); the caller removes it */
  originals: string;
  xattrs: OverlayXattrs;
};

const rel = (p: string) => p.replace(/^\/+/, "");

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

/** What changed in the tree since the effect was read (someone edited the same path): the apply must not overwrite it. */
export function staleEntries(tree: string, effect: EffectEntry[]): string[] {
  const stale: string[] = [];
  const addedDirs = new Set(effect.filter((e) => e.after?.type === "dir" && e.kind !== "metadata").map((e) => e.path));
  for (const e of effect) {
    const st = lstatOrNull(path.join(tree, rel(e.path)));
    if (!e.before) {
      // an added entry's place must still be free (unless its parent is added by this same apply)
      if (st && !addedDirs.has(path.posix.dirname(e.path))) stale.push(`${e.path} (now exists)`);
      continue;
    }
    if (!st) {
      stale.push(`${e.path} (gone)`);
      continue;
    }
    const b = e.before;
    const sameMeta = (st.mode & 0o7777) === b.mode && st.uid === b.uid && st.gid === b.gid;
    const sameContent = b.type === "dir" || (st.ino === b.ino && st.size === b.size && st.mtimeMs === b.mtimeMs);
    if (!sameMeta || !sameContent) stale.push(`${e.path} (changed)`);
  }
  return stale;
}

/** Keeps the tree's current entry at `p` in the originals store before it is replaced or removed. */
function keepOriginal(o: ApplyEffectOptions, p: string, move: boolean): void {
  const from = path.join(o.tree, rel(p));
  const to = path.join(o.originals, rel(p));
  fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
  if (move) {
    try {
      fs.renameSync(from, to);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
    }
    fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    fs.rmSync(from, { recursive: true, force: true });
    return;
  }
  const st = fs.lstatSync(from);
  if (st.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(from), to);
    return;
  }
  // A hard link costs nothing and the replaced inode is never written again (the new file is renamed over it).
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}

/** Moves the upper layer's entry at `p` over the tree's (rename: atomic; the old one stays readable until then). */
async function placeFromUpper(o: ApplyEffectOptions, p: string, strip: [string, string][]): Promise<void> {
  const from = path.join(o.upper, rel(p));
  const to = path.join(o.tree, rel(p));
  try {
    fs.renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
    // another file system: copy beside the target with cp -a (keeps mode, owner, times, xattrs, specials), then rename
    const tmp = path.join(path.dirname(to), `.${path.basename(to)}.rootimg-apply-${process.pid}`);
    await run("cp", ["-a", "--no-target-directory", from, tmp]);
    fs.renameSync(tmp, to);
  }
  for (const name of o.xattrs.get(rel(p)) ?? []) if (!name.startsWith("trusted.overlay.opaque")) strip.push([name, to]);
}

/**
 * overlayfs's own bookkeeping (the copy-up origin) means nothing outside the overlay: removed from the moved
 * files with one setfattr per attribute name and 200 files, not one process per file.
 */
async function stripOverlayXattrs(strip: [string, string][]): Promise<void> {
  const byName = new Map<string, string[]>();
  for (const [name, p] of strip) byName.set(name, [...(byName.get(name) ?? []), p]);
  for (const [name, paths] of byName) {
    for (let i = 0; i < paths.length; i += 200) {
      const batch = paths.slice(i, i + 200);
      await run("setfattr", ["-h", "-x", name, "--", ...batch]).catch(async () => {
        // one of them without the attribute fails the batch: go one by one
        for (const p of batch) await run("setfattr", ["-h", "-x", name, "--", p]).catch(() => undefined);
      });
    }
  }
}

function makeDir(o: ApplyEffectOptions, e: EffectEntry): void {
  const to = path.join(o.tree, rel(e.path));
  const a = e.after!;
  fs.mkdirSync(to);
  fs.chownSync(to, a.uid, a.gid);
  fs.chmodSync(to, a.mode);
}

/**
 * Applies an overlay run's effect to the tree, one entry at a time in path order (parents first): each file
 * lands atomically (renamed over the old one, never written in place), a metadata-only change is a chmod or
 * chown of the tree's entry (so its hard links change with it, as in a real chroot), and every replaced file
 * and removed entry is moved aside into `originals` (a removal is a rename out of the tree). Refuses before
 * touching anything when a path changed in the tree since the run.
 */
export async function applyEffect(o: ApplyEffectOptions, onProgress?: (done: number) => void): Promise<{ applied: number }> {
  const stale = staleEntries(o.tree, o.effect);
  if (stale.length) {
    throw new ChrootError(
      "apply",
      `Not applied: ${stale.length} path${stale.length === 1 ? "" : "s"} changed in the image since the command ran (${stale.slice(0, 5).join(", ")}${stale.length > 5 ? ", …" : ""}). Discard this effect and run the command again.`,
    );
  }
  fs.mkdirSync(o.originals, { recursive: true, mode: 0o700 });
  fs.chmodSync(path.dirname(o.originals), 0o700); // originals keep setuid bits: root-only, like the runs
  // moved files whose overlay xattrs are to be removed: [name, path]
  const strip: [string, string][] = [];
  let done = 0;
  for (const e of o.effect) {
    const to = path.join(o.tree, rel(e.path));
    switch (e.kind) {
      case "removed":
        keepOriginal(o, e.path, true);
        e.original = true;
        break;
      case "type":
        keepOriginal(o, e.path, true);
        e.original = true;
        if (e.after!.type === "dir") makeDir(o, e);
        else await placeFromUpper(o, e.path, strip);
        break;
      case "added":
        if (e.after!.type === "dir") makeDir(o, e);
        else await placeFromUpper(o, e.path, strip);
        break;
      case "modified":
        keepOriginal(o, e.path, false);
        e.original = true;
        await placeFromUpper(o, e.path, strip);
        break;
      case "metadata": {
        const a = e.after!;
        if (e.fields?.includes("owner")) fs.lchownSync(to, a.uid, a.gid);
        if (e.fields?.includes("mode") && a.type !== "symlink") fs.chmodSync(to, a.mode); // after chown: chown clears setuid
        break;
      }
    }
    onProgress?.(++done);
  }
  await stripOverlayXattrs(strip);
  return { applied: done };
}
