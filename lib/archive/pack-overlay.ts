import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { ArchiveError } from "./errors.ts";
import { stateDirFor } from "./state-dir.ts";
import { type TreeEntry, typeOfStats, walkTree } from "./walk-tree.ts";

/**
 * Entries the pack puts into the archive in place of (or beside) the tree's own, without touching the tree: what
 * xCAT's packimage writes into the rootimg before archiving (xcatpost/, etc/shadow, etc/localtime, synclists),
 * given to nodes while the user's tree stays as they left it.
 *
 * `source`: a file, directory or symlink on this machine taken as it is (its content; mode/uid/gid unless given).
 * `content` / `target`: generated here; staged beside the tree (never inside it) and rewritten only when they
 * change, so an unchanged overlay keeps its stat identity and the incremental pack reuses its gzip member.
 */
export type OverlayEntry = {
  /** path inside the image, without "./" */
  path: string;
  /** why the pack adds it, for the pack's log and the review ("xCAT postscripts from /install/postscripts") */
  reason: string;
  mode?: number;
  uid?: number;
  gid?: number;
} & ({ source: string } | { content: string | Buffer } | { target: string } | { dir: true });

export type PackOverlay = {
  entries: OverlayEntry[];
  /** subtrees of the tree left out of the archive first (packimage's `rm -rf rootimg/xcatpost`) */
  replace?: string[];
};

export type OverlayChange = { path: string; change: "added" | "replaced" | "removed"; reason: string };

/** Where generated overlay files are staged for a tree. */
export const overlayDirFor = (tree: string) => path.join(stateDirFor(tree), "overlay");

/** Walk order of lib/archive walkTree (parents first, names sorted per directory) as a comparison of paths. */
export function compareWalkOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return -1;
  if (b === "") return 1;
  const pa = a.split("/");
  const pb = b.split("/");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  return pa.length - pb.length;
}

function checkPath(p: string): string {
  const rel = p.replace(/^\.\//, "").replace(/\/+$/, "");
  if (!rel || rel.startsWith("/") || rel.split("/").some((s) => s === "" || s === "." || s === ".."))
    throw new ArchiveError(`overlay path ${JSON.stringify(p)} is not a plain path inside the image`);
  return rel;
}

/** Writes `content` at `file` unless it already holds exactly that (keeps mtime/ctime, hence the pack cache). */
function stageFile(file: string, content: Buffer): void {
  try {
    const st = lstatSync(file);
    if (st.isFile() && st.size === content.length && readFileSync(file).equals(content)) return;
    rmSync(file, { recursive: true, force: true });
  } catch {}
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, file);
}

function stageLink(file: string, target: string): void {
  try {
    const st = lstatSync(file);
    if (st.isSymbolicLink() && readlinkSync(file) === target) return;
    rmSync(file, { recursive: true, force: true });
  } catch {}
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  symlinkSync(target, file);
}

/** A Stats with some fields replaced; the prototype keeps isFile() and friends working. */
function withMeta(st: Stats, meta: { mode?: number; uid?: number; gid?: number }): Stats {
  const out = Object.assign(Object.create(Object.getPrototypeOf(st)) as Stats, st);
  if (meta.mode !== undefined) out.mode = (st.mode & ~0o7777) | (meta.mode & 0o7777);
  if (meta.uid !== undefined) out.uid = meta.uid;
  if (meta.gid !== undefined) out.gid = meta.gid;
  // Never paired as a hard link with another path: an overlay entry always carries its own data.
  out.nlink = 1;
  return out;
}

/**
 * The tree's walked entries with the overlay applied: replaced subtrees dropped, overlay entries in their walk
 * position (a missing parent directory is added as root's 0755, like `mkdir -p`). Returns what changed
 * against the tree, for the pack's log.
 */
export function applyOverlay(tree: string, walked: TreeEntry[], overlay: PackOverlay): { entries: TreeEntry[]; changes: OverlayChange[] } {
  const stage = overlayDirFor(tree);
  const treeByRel = new Map(walked.map((e) => [e.rel, e]));
  const replace = (overlay.replace ?? []).map(checkPath);
  const own = new Map<string, TreeEntry>();
  const reasons = new Map<string, string>();
  for (const o of overlay.entries) {
    const rel = checkPath(o.path);
    let abs: string;
    let st: Stats;
    if ("source" in o) {
      abs = o.source;
      try {
        st = lstatSync(abs);
      } catch (e) {
        throw new ArchiveError(
          `cannot add ${rel} to the archive: ${abs} is not readable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
          { cause: e },
        );
      }
    } else if ("dir" in o) {
      // A directory entry carries no data: the tree's root directory's stat is only a carrier for the meta below.
      abs = tree;
      st = statSync(tree);
    } else {
      abs = path.join(stage, rel);
      if ("target" in o) stageLink(abs, o.target);
      else stageFile(abs, Buffer.isBuffer(o.content) ? o.content : Buffer.from(o.content));
      st = lstatSync(abs);
    }
    const mode = o.mode ?? ("dir" in o ? 0o755 : "target" in o ? 0o777 : undefined);
    own.set(rel, {
      rel,
      abs,
      st: withMeta(st, { mode, uid: o.uid ?? ("source" in o ? undefined : 0), gid: o.gid ?? ("source" in o ? undefined : 0) }),
      type: "dir" in o ? "dir" : typeOfStats(st),
    });
    reasons.set(rel, o.reason);
  }
  // mkdir -p for parents neither the tree (after the replacements) nor the overlay has.
  const under = (rel: string, p: string) => rel === p || rel.startsWith(`${p}/`);
  const kept = (rel: string) => treeByRel.has(rel) && !replace.some((p) => under(rel, p));
  for (const rel of [...own.keys()]) {
    for (let p = path.posix.dirname(rel); p !== "."; p = path.posix.dirname(p)) {
      if (own.has(p)) continue;
      if (kept(p) && treeByRel.get(p)!.type === "dir") continue;
      own.set(p, { rel: p, abs: tree, st: withMeta(statSync(tree), { mode: 0o755, uid: 0, gid: 0 }), type: "dir" });
      reasons.set(p, reasons.get(rel)!);
    }
  }
  // A tree entry is dropped when replaced, overridden by the overlay, or below an overlay entry that is not a directory.
  const shadowedBy = (rel: string) => {
    for (let p = rel; p !== "."; p = path.posix.dirname(p)) {
      const o = own.get(p);
      if (o && (p === rel || o.type !== "dir")) return true;
    }
    return false;
  };
  const changes: OverlayChange[] = [];
  const base: TreeEntry[] = [];
  for (const e of walked) {
    if (e.rel !== "" && (replace.some((p) => under(e.rel, p)) || shadowedBy(e.rel))) {
      if (!own.has(e.rel)) changes.push({ path: e.rel, change: "removed", reason: reasonFor(e.rel, replace, own, reasons) });
      continue;
    }
    base.push(e);
  }
  const added = [...own.values()].sort((a, b) => compareWalkOrder(a.rel, b.rel));
  for (const a of added) changes.push({ path: a.rel, change: treeByRel.has(a.rel) ? "replaced" : "added", reason: reasons.get(a.rel)! });
  // Merge two lists already in walk order.
  const entries: TreeEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < base.length || j < added.length) {
    if (j >= added.length || (i < base.length && compareWalkOrder(base[i].rel, added[j].rel) < 0)) entries.push(base[i++]);
    else entries.push(added[j++]);
  }
  changes.sort((a, b) => compareWalkOrder(a.path, b.path));
  return { entries, changes };
}

/**
 * What `applyOverlay` will report for this overlay, without packing or staging anything: only the overlay's paths,
 * their parents and the tree's subtrees the overlay replaces are looked at, not the whole tree. For the review
 * before a pack ("added by packing").
 */
export async function previewOverlayChanges(tree: string, overlay: PackOverlay): Promise<OverlayChange[]> {
  const inTree = (rel: string) => lstatSync(path.join(tree, rel), { throwIfNoEntry: false });
  const replace = (overlay.replace ?? []).map(checkPath);
  const under = (rel: string, p: string) => rel === p || rel.startsWith(`${p}/`);
  const own = new Map<string, { dir: boolean }>();
  const reasons = new Map<string, string>();
  for (const o of overlay.entries) {
    const rel = checkPath(o.path);
    const dir = "dir" in o || ("source" in o && !!lstatSync(o.source, { throwIfNoEntry: false })?.isDirectory());
    own.set(rel, { dir });
    reasons.set(rel, o.reason);
  }
  for (const rel of [...own.keys()])
    for (let p = path.posix.dirname(rel); p !== "."; p = path.posix.dirname(p)) {
      if (own.has(p)) continue;
      if (!replace.some((r) => under(p, r)) && inTree(p)?.isDirectory()) continue;
      own.set(p, { dir: true });
      reasons.set(p, reasons.get(rel)!);
    }
  const changes: OverlayChange[] = [];
  // The tree's entries the pack leaves out: below a replaced subtree, or below an overlay entry that is not a directory.
  const dropped = [...replace, ...[...own].filter(([rel, o]) => !o.dir && inTree(rel)?.isDirectory()).map(([rel]) => rel)];
  const seen = new Set<string>();
  for (const top of dropped) {
    if (!inTree(top)?.isDirectory()) continue;
    for (const e of await walkTree(path.join(tree, top))) {
      const rel = e.rel ? `${top}/${e.rel}` : top;
      if (seen.has(rel) || own.has(rel)) continue;
      seen.add(rel);
      changes.push({ path: rel, change: "removed", reason: reasonFor(rel, replace, own, reasons) });
    }
  }
  for (const rel of own.keys()) changes.push({ path: rel, change: inTree(rel) ? "replaced" : "added", reason: reasons.get(rel)! });
  return changes.sort((a, b) => compareWalkOrder(a.path, b.path));
}

function reasonFor(rel: string, replace: string[], own: Map<string, unknown>, reasons: Map<string, string>): string {
  for (let p = rel; p !== "."; p = path.posix.dirname(p)) if (own.has(p)) return reasons.get(p)!;
  const r = replace.find((p) => rel === p || rel.startsWith(`${p}/`));
  return r && reasons.has(r) ? reasons.get(r)! : `${r ?? rel} is replaced when packing`;
}

/** Removes the staged overlay of a tree (when the tree goes away). */
export function removeOverlayStage(tree: string): void {
  const dir = overlayDirFor(tree);
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}
