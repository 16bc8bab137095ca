/**
 * Puts a changed path back exactly as it is in the pristine image: content, type, mode, owner, group, link
 * target, device numbers, extended attributes (when they were kept) and mtime (so the diff finds it unchanged
 * without hashing). A removed file comes back (with any removed parent directories), an added one goes.
 * Content is written to a temp file in the tree's state directory and renamed into place, never half-written.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { typeOfStats } from "@/lib/archive/walk-tree";
import type { SessionUser } from "@/lib/auth/session";
import { AppError, isAppError } from "@/lib/errors";
import { getImageTree } from "@/lib/files/image-tree";
import { runFileChange } from "@/lib/files/record-file-change";
import { imagePathOf } from "@/lib/files/recorded-edits";
import { dumpXattrs, restoreXattrs } from "@/lib/image/copy-xattrs";
import { deleteEntry } from "@/lib/image/delete-entry";
import { openInRoot } from "@/lib/image/open-in-root";
import { type ResolvedPath, resolveInRoot } from "@/lib/image/resolve-in-root";
import { discardTemp, stageTemp, tempPlaced } from "@/lib/image/staged-write";
import { type PristineEntry, pristineManifest, pristineOfTree } from "./pristine-store";
import { formatXattrDump, parseXattrDump } from "./xattr-dump";

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;

export type RevertResult = { path: string; action: "removed" | "restored" | "metadata" | "unchanged" };

/** Owner, mode, xattrs and mtime of an entry open on `fd` (chown first: it clears setuid/setgid). */
async function setMetaFd(fd: number, p: PristineEntry, what: string, existing: Record<string, string> | undefined): Promise<void> {
  fs.fchownSync(fd, p.uid, p.gid);
  fs.fchmodSync(fd, p.mode);
  if (p.xattrs) {
    // a fresh file has none; an entry kept in place may carry attributes the pristine one lacked
    const extra = Object.keys(existing ?? {}).filter((k) => !(k in p.xattrs!));
    if (extra.length)
      throw new AppError(
        "conflict",
        `${what} carries extended attributes the pristine file had not (${extra.join(", ")}); revert its content to replace it with a clean copy.`,
      );
    if (Object.keys(p.xattrs).length) await restoreXattrs({ fd, dump: formatXattrDump(`/proc/${process.pid}/fd/${fd}`, p.xattrs), what });
  }
  fs.futimesSync(fd, p.mtime, p.mtime);
}

function lsetTimes(at: string, p: PristineEntry): void {
  fs.lutimesSync(at, p.mtime, p.mtime);
}

async function writeFile(r: ResolvedPath, p: PristineEntry, what: string): Promise<void> {
  const bytes = await p.content();
  const t = stageTemp(r, { bytes, uid: p.uid, gid: p.gid, mode: p.mode, renameOnto: true });
  try {
    if (p.xattrs && Object.keys(p.xattrs).length)
      await restoreXattrs({ fd: t.fd, dump: formatXattrDump(`/proc/${process.pid}/fd/${t.fd}`, p.xattrs), what });
    fs.futimesSync(t.fd, p.mtime, p.mtime);
    fs.fsyncSync(t.fd);
    fs.renameSync(t.at, r.at);
    tempPlaced(t);
  } finally {
    discardTemp(t);
  }
}

function makeNode(r: ResolvedPath, p: PristineEntry): void {
  switch (p.type) {
    case "dir":
      fs.mkdirSync(r.at, { mode: 0o700 });
      break;
    case "symlink":
      fs.symlinkSync(p.linkTarget ?? "", r.at);
      break;
    case "fifo":
    case "char":
    case "block":
      // node has no mknod: the coreutils tool, with an argument array
      {
        // the child reaches our verified directory descriptor through our pid (its /proc/self is its own)
        const at = `/proc/${process.pid}/fd/${r.dirFd}/${r.name}`;
        const args =
          p.type === "fifo" ? [at, "p"] : [at, p.type === "char" ? "c" : "b", String(p.rdevMajor ?? 0), String(p.rdevMinor ?? 0)];
        const res = spawnSync("mknod", ["-m", "600", ...args]);
        if (res.status !== 0) throw new AppError("internal", `Could not re-create ${r.path} (mknod: ${String(res.stderr ?? "").trim()}).`);
      }
      break;
    default:
      throw new AppError("unprocessable", `${r.path} was a ${p.type}; it cannot be re-created.`);
  }
}

/** Reverts one path of a tree (no gate, no record: revertChange does those). */
export async function revertPathInTree(tree: string, imagePath: string): Promise<RevertResult> {
  const p = imagePathOf(imagePath);
  if (p === "/") throw new AppError("unprocessable", "The image root itself cannot be reverted; revert the changes inside it.");
  const pristine = await pristineOfTree(tree, p);
  let r: ResolvedPath;
  try {
    r = resolveInRoot(tree, p, { followFinal: false });
  } catch (e) {
    // a parent directory is gone too (removed with it): it comes back first
    if (!pristine || !isAppError(e) || e.code !== "not_found") throw e;
    await revertPathInTree(tree, path.posix.dirname(p));
    r = resolveInRoot(tree, p, { followFinal: false });
  }
  try {
    if (!pristine) {
      if (!r.exists) return { path: p, action: "unchanged" };
      r.close();
      deleteEntry({ root: tree, path: p });
      return { path: p, action: "removed" };
    }
    const st = r.exists ? r.stat : undefined;
    if (st && typeOfStats(st) !== pristine.type) {
      // another type now (a file where a link was, a directory where a file was): it goes, the pristine one comes back
      r.close();
      deleteEntry({ root: tree, path: p });
      return revertPathInTree(tree, p);
    }
    if (!st) {
      if (pristine.type === "file") await writeFile(r, pristine, p);
      else {
        makeNode(r, pristine);
        await setMeta(r, pristine, p, undefined);
      }
      return { path: p, action: "restored" };
    }
    if (pristine.type === "file") {
      const fd = openInRoot(r, O_RDONLY);
      let same: boolean;
      try {
        const data = fs.readFileSync(fd);
        same = data.length === pristine.size && (!pristine.sha256 || createHash("sha256").update(data).digest("hex") === pristine.sha256);
      } finally {
        fs.closeSync(fd);
      }
      if (!same) {
        await writeFile(r, pristine, p);
        return { path: p, action: "restored" };
      }
    }
    if (pristine.type === "symlink" && fs.readlinkSync(r.at) !== pristine.linkTarget) {
      fs.unlinkSync(r.at);
      fs.symlinkSync(pristine.linkTarget ?? "", r.at);
    }
    await setMeta(r, pristine, p, await currentXattrs(r));
    return { path: p, action: "metadata" };
  } finally {
    r.close();
  }
}

async function currentXattrs(r: ResolvedPath): Promise<Record<string, string> | undefined> {
  if (!r.stat || !(r.stat.isFile() || r.stat.isDirectory())) return undefined;
  const fd = fs.openSync(r.at, O_RDONLY | O_NOFOLLOW | (r.stat.isDirectory() ? O_DIRECTORY : 0));
  try {
    const dump = await dumpXattrs(fd, r.path).catch(() => null);
    return dump ? parseXattrDump(dump) : {};
  } finally {
    fs.closeSync(fd);
  }
}

/** Metadata of an existing entry: through a descriptor where one can be opened, else on the link itself. */
async function setMeta(r: ResolvedPath, p: PristineEntry, what: string, existing: Record<string, string> | undefined): Promise<void> {
  if (p.type === "file" || p.type === "dir") {
    const fd = fs.openSync(r.at, O_RDONLY | O_NOFOLLOW | (p.type === "dir" ? O_DIRECTORY : 0));
    try {
      await setMetaFd(fd, p, what, existing);
    } finally {
      fs.closeSync(fd);
    }
    return;
  }
  fs.lchownSync(r.at, p.uid, p.gid);
  if (p.type !== "symlink") fs.chmodSync(r.at, p.mode); // a device or fifo: no link to follow out of the image
  lsetTimes(r.at, p);
}

/**
 * Reverts one pending change of an image through the image gate (a shared holder like any file change),
 * recorded as a pending change of kind "revert" and audited as `file.revert`, announced to the image's room.
 */
export async function revertChange(o: { image: string; path: string; user: SessionUser }): Promise<RevertResult> {
  const tree = await getImageTree(o.image);
  const p = imagePathOf(o.path);
  return runFileChange(
    { user: o.user, image: o.image, tree, kind: "revert", action: "file.revert", target: p, keepPristine: false },
    () => revertPathInTree(tree, p),
    (x) => ({ paths: [x.path], detail: { action: x.action } }),
  );
}

/**
 * Reverts every pending change of an image (deepest paths first for removals of added entries, parents first
 * for restored ones), as one gate entry and one record listing every path.
 */
export async function revertAll(o: { image: string; user: SessionUser; paths: string[] }): Promise<RevertResult[]> {
  const tree = await getImageTree(o.image);
  const pm = await pristineManifest(tree);
  if (!pm) throw new AppError("not_found", `${o.image} has no pristine state to revert to (its tree was adopted, not unpacked).`);
  const paths = [...new Set(o.paths.map(imagePathOf))];
  const added = paths.filter((p) => !pm.byPath.has(p.slice(1))).sort((a, b) => b.length - a.length);
  const kept = paths.filter((p) => pm.byPath.has(p.slice(1))).sort((a, b) => a.length - b.length || a.localeCompare(b));
  return runFileChange(
    { user: o.user, image: o.image, tree, kind: "revert", action: "file.revert-all", target: paths[0] ?? "/", keepPristine: false },
    async () => {
      const out: RevertResult[] = [];
      for (const p of added) {
        // an added entry inside an added directory went with it
        if (!fs.existsSync(path.join(tree, p)) && !isLink(path.join(tree, p))) continue;
        out.push(await revertPathInTree(tree, p));
      }
      for (const p of kept) out.push(await revertPathInTree(tree, p));
      return out;
    },
    (x) => ({ paths: x.map((r) => r.path), detail: { reverted: x.length } }),
  );
}

function isLink(abs: string): boolean {
  try {
    return fs.lstatSync(abs).isSymbolicLink();
  } catch {
    return false;
  }
}
