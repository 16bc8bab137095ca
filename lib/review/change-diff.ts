/**
 * The diff of one pending change: the path's pristine state (pristine-store.ts) against the tree now, with
 * who changed it and how (the edits and command applies recorded since the unpack), the metadata on both
 * sides with owner names from the image's own passwd/group, and the content as text (both sides, for the
 * diff editor) or, for binary and big files, sizes, sha256 and what `file` says of an ELF object.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { typeOfStats } from "@/lib/archive/walk-tree";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { getImageTree } from "@/lib/files/image-tree";
import { imagePathOf } from "@/lib/files/recorded-edits";
import { dumpXattrs } from "@/lib/image/copy-xattrs";
import { type EntryType, symbolicMode } from "@/lib/image/describe-entry";
import { decodeText, detectEncoding } from "@/lib/image/detect-encoding";
import { detectLanguage } from "@/lib/image/detect-language";
import { readImageUsers } from "@/lib/image/image-users";
import { openInRoot } from "@/lib/image/open-in-root";
import { EDITOR_MAX_BYTES } from "@/lib/image/read-image-file";
import { resolveInRoot } from "@/lib/image/resolve-in-root";
import { type PristineEntry, pristineOfTree, SEED_MAX_BYTES } from "./pristine-store";
import { parseXattrDump } from "./xattr-dump";

export type DiffKind = "content" | "added" | "removed" | "metadata" | "type" | "unchanged";
export type MetaField = "content" | "type" | "mode" | "owner" | "group" | "target" | "rdev" | "xattrs";

export type SideMeta = {
  type: EntryType;
  mode: number;
  /** "0644" */
  octal: string;
  /** "-rw-r--r--" */
  symbolic: string;
  uid: number;
  gid: number;
  owner: string | null;
  group: string | null;
  size: number;
  /** seconds since the epoch */
  mtime: number;
  sha256?: string;
  linkTarget?: string;
  rdev?: string;
  /** name -> base64; absent when not known */
  xattrs?: Record<string, string>;
};

export type EditHow = "editor" | "upload" | "create" | "rename" | "delete" | "attributes" | "revert";
export type ChangeSource =
  | { how: EditHow; by: string; at: string }
  | { how: "command" | "shell"; by: string; at: string; line: string; commandId: string; exitCode: number | null }
  | { how: "outside"; note: string };

export type BinarySide = { size: number; sha256?: string; file?: string };

export type ContentDiff =
  | { kind: "text"; language: string; before: string | null; after: string | null }
  | { kind: "binary"; before: BinarySide | null; after: BinarySide | null; reason: "binary" | "too-large" }
  /** no content on either side (directories, links, devices), or a metadata-only change */
  | { kind: "none" }
  /** the caller may not read this file's content (a sensitive file for a viewer) */
  | { kind: "hidden"; reason: string };

export type ChangeDiff = {
  image: string;
  path: string;
  kind: DiffKind;
  fields: MetaField[];
  before: SideMeta | null;
  after: SideMeta | null;
  content: ContentDiff;
  sources: ChangeSource[];
  lastAt?: string;
  /** why part of the diff is missing (the pristine bytes could not be read), shown as is */
  warning?: string;
};

const MAX_TEXT = EDITOR_MAX_BYTES;
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const octal = (mode: number) => mode.toString(8).padStart(4, "0");

/** What `file -b` says of some bytes (fed on stdin, argument array, no shell); undefined when it cannot run. */
export function describeWithFile(data: Buffer): Promise<string | undefined> {
  return new Promise((resolve) => {
    let out = "";
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn("file", ["-b", "-"], { stdio: ["pipe", "pipe", "ignore"] });
    } catch {
      return resolve(undefined);
    }
    child.on("error", () => resolve(undefined));
    child.stdout!.on("data", (d) => {
      out += d;
    });
    child.on("close", (code) => resolve(code === 0 ? out.trim() : undefined));
    child.stdin!.on("error", () => {});
    // `file` reads the first megabyte at most; ELF section headers beyond it are not needed for its summary
    child.stdin!.end(data.subarray(0, 1 << 20));
  });
}

const isElf = (b: Buffer) => b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;

type Current = { meta: SideMeta; read?: () => Buffer } | null;

function currentOf(tree: string, imagePath: string, names: ReturnType<typeof readImageUsers>): Promise<Current> {
  const r = resolveInRoot(tree, imagePath, { followFinal: false });
  try {
    if (!r.exists || !r.stat) return Promise.resolve(null);
    const st = r.stat;
    const type: EntryType = typeOfStats(st);
    const mode = st.mode & 0o7777;
    const meta: SideMeta = {
      type,
      mode,
      octal: octal(mode),
      symbolic: symbolicMode(type, mode),
      uid: st.uid,
      gid: st.gid,
      owner: names.userById.get(st.uid) ?? null,
      group: names.groupById.get(st.gid) ?? null,
      size: type === "file" ? st.size : 0,
      mtime: Math.floor(st.mtimeMs / 1000),
    };
    if (type === "symlink") meta.linkTarget = fs.readlinkSync(r.at);
    if (type === "char" || type === "block")
      meta.rdev = `${Math.floor(st.rdev / 256) & 0xfff}:${(st.rdev & 0xff) | (Math.floor(st.rdev / 4096) & 0xfff00)}`;
    if (type !== "file" && type !== "dir") return Promise.resolve({ meta });
    const fd = openInRoot(r, fs.constants.O_RDONLY | (type === "dir" ? fs.constants.O_DIRECTORY : 0));
    return dumpXattrs(fd, imagePath)
      .catch(() => null)
      .then((dump) => {
        meta.xattrs = dump ? parseXattrDump(dump) : {};
        if (type !== "file") return { meta };
        if (st.size <= MAX_TEXT) {
          const data = fs.readFileSync(fd);
          meta.sha256 = sha256(data);
          return { meta, read: () => data };
        }
        // a big file: hashed in pieces; its first megabyte is enough for `file`
        const h = createHash("sha256");
        const buf = Buffer.allocUnsafe(1 << 20);
        let head: Buffer | undefined;
        for (let off = 0; ; ) {
          const n = fs.readSync(fd, buf, 0, buf.length, off);
          if (n === 0) break;
          head ??= Buffer.from(buf.subarray(0, n));
          h.update(buf.subarray(0, n));
          off += n;
        }
        meta.sha256 = h.digest("hex");
        return { meta, read: () => head ?? Buffer.alloc(0) };
      })
      .finally(() => fs.closeSync(fd));
  } finally {
    r.close();
  }
}

function pristineMeta(p: PristineEntry, names: ReturnType<typeof readImageUsers>): SideMeta {
  return {
    type: p.type,
    mode: p.mode,
    octal: octal(p.mode),
    symbolic: symbolicMode(p.type, p.mode),
    uid: p.uid,
    gid: p.gid,
    owner: names.userById.get(p.uid) ?? null,
    group: names.groupById.get(p.gid) ?? null,
    size: p.size,
    mtime: Math.floor(p.mtime),
    ...(p.sha256 ? { sha256: p.sha256 } : {}),
    ...(p.linkTarget !== undefined ? { linkTarget: p.linkTarget } : {}),
    ...(p.rdevMajor !== undefined ? { rdev: `${p.rdevMajor}:${p.rdevMinor}` } : {}),
    ...(p.xattrs ? { xattrs: p.xattrs } : {}),
  };
}

const sameXattrs = (a: Record<string, string>, b: Record<string, string>) => {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
};

/** The kind of change and the fields that differ, from the two sides alone. */
export function classify(before: SideMeta | null, after: SideMeta | null): { kind: DiffKind; fields: MetaField[] } {
  if (!before && !after) return { kind: "unchanged", fields: [] };
  if (!before) return { kind: "added", fields: [] };
  if (!after) return { kind: "removed", fields: [] };
  if (before.type !== after.type) return { kind: "type", fields: ["type"] };
  const fields: MetaField[] = [];
  if (before.type === "file" && (before.size !== after.size || (before.sha256 && after.sha256 && before.sha256 !== after.sha256)))
    fields.push("content");
  if (before.mode !== after.mode) fields.push("mode");
  if (before.uid !== after.uid) fields.push("owner");
  if (before.gid !== after.gid) fields.push("group");
  if ((before.linkTarget ?? "") !== (after.linkTarget ?? "")) fields.push("target");
  if ((before.rdev ?? "") !== (after.rdev ?? "")) fields.push("rdev");
  // the pristine xattrs are known only for paths captured before their first change through the product
  if (before.xattrs && after.xattrs && !sameXattrs(before.xattrs, after.xattrs)) fields.push("xattrs");
  if (fields.includes("content")) return { kind: "content", fields };
  return { kind: fields.length ? "metadata" : "unchanged", fields };
}

const HOW: Record<string, EditHow> = {
  content: "editor",
  upload: "upload",
  create: "create",
  mkdir: "create",
  symlink: "create",
  rename: "rename",
  delete: "delete",
  mode: "attributes",
  owner: "attributes",
  revert: "revert",
};

/** The changes recorded through the product that touched `imagePath` since the unpack and are not packed yet, oldest first. */
export async function sourcesOf(image: string, imagePath: string): Promise<ChangeSource[]> {
  const ws = await prisma.workspace.findUnique({ where: { image }, select: { unpackedAt: true } });
  const rows = await prisma.pendingChange.findMany({
    where: { image, changeSet: null, ...(ws?.unpackedAt ? { at: { gte: ws.unpackedAt } } : {}) },
    orderBy: { id: "asc" },
    select: { path: true, kind: true, detail: true, username: true, at: true },
  });
  const out: ChangeSource[] = [];
  for (const r of rows) {
    let d: Record<string, unknown> = {};
    try {
      d = JSON.parse(r.detail ?? "{}") as Record<string, unknown>;
    } catch {
      // a detail in another shape: the subject path is enough
    }
    const paths = [r.path, ...(Array.isArray(d.paths) ? d.paths.filter((p): p is string => typeof p === "string") : [])].map(imagePathOf);
    if (!paths.includes(imagePath)) continue;
    const at = r.at.toISOString();
    if (r.kind === "command" && typeof d.commandId === "string") {
      out.push({
        how: d.commandKind === "shell" ? "shell" : "command",
        by: r.username,
        at,
        line: String(d.line ?? ""),
        commandId: d.commandId,
        exitCode: typeof d.exitCode === "number" ? d.exitCode : null,
      });
    } else out.push({ how: HOW[r.kind] ?? "editor", by: r.username, at });
  }
  return out;
}

async function binarySide(data: Buffer | undefined, size: number, sha: string | undefined): Promise<BinarySide> {
  const side: BinarySide = { size, ...(sha ? { sha256: sha } : {}) };
  if (data && isElf(data)) {
    const said = await describeWithFile(data);
    if (said) side.file = said;
  }
  return side;
}

export type ChangeDiffOptions = { hideContent?: string };

/** The diff of one path of an unpacked image against its pristine state (see the module comment). */
export async function changeDiffOf(image: string, imagePath: string, opts: ChangeDiffOptions = {}): Promise<ChangeDiff> {
  const tree = await getImageTree(image);
  return changeDiffOfTree({
    image,
    tree,
    imagePath,
    sources: await sourcesOf(image, imagePathOf(imagePath)),
    hideContent: opts.hideContent,
  });
}

/** changeDiffOf on a given tree, with the recorded sources passed in (the database-free core). */
export async function changeDiffOfTree(o: {
  image: string;
  tree: string;
  imagePath: string;
  sources: ChangeSource[];
  hideContent?: string;
}): Promise<ChangeDiff> {
  const p = imagePathOf(o.imagePath);
  const names = readImageUsers(o.tree);
  const pristine = await pristineOfTree(o.tree, p);
  const now = await currentOf(o.tree, p, names);
  const before = pristine ? pristineMeta(pristine, names) : null;
  const after = now?.meta ?? null;
  const { kind, fields } = classify(before, after);
  const sources: ChangeSource[] = o.sources.length
    ? o.sources
    : kind === "unchanged"
      ? []
      : [{ how: "outside", note: "changed outside Rootimg Studio (by hand on the management node, or by a tool run there)" }];
  const base = {
    image: o.image,
    path: p,
    kind,
    fields,
    before,
    after,
    sources,
    ...(o.sources.length ? { lastAt: (o.sources.at(-1) as { at: string }).at } : {}),
  };
  const hasContent = before?.type === "file" || after?.type === "file";
  if (!hasContent || (kind === "metadata" && !fields.includes("content"))) return { ...base, content: { kind: "none" } };
  if (o.hideContent) return { ...base, content: { kind: "hidden", reason: o.hideContent } };
  let warning: string | undefined;
  let beforeData: Buffer | undefined;
  const afterData = now?.read?.();
  // Bigger files are shown by size and hash alone: their pristine bytes are not read. Neither are those of a
  // binary file that only a read of a whole foreign archive would give: sizes and hashes are in the manifest.
  const afterBinary = after?.type === "file" && afterData !== undefined && detectEncoding(afterData) === "binary";
  const skipBinary = pristine?.readCost === "archive-scan" && (pristine.binaryByUnpack || (afterBinary && pristine.size > SEED_MAX_BYTES));
  if (pristine?.type === "file" && pristine.size <= MAX_TEXT && !skipBinary) {
    try {
      beforeData = await pristine.content();
    } catch (e) {
      warning = `The pristine content could not be read: ${(e as Error).message}`;
    }
  }
  const textual = (b: Buffer | undefined, side: SideMeta | null) =>
    side?.type !== "file" || (b !== undefined && side.size <= MAX_TEXT && detectEncoding(b) !== "binary");
  const beforeText = before?.type === "file" && beforeData !== undefined && textual(beforeData, before);
  const afterText = after?.type !== "file" || textual(afterData, after);
  const beforeOk = before?.type !== "file" || beforeText;
  if (beforeOk && afterText) {
    const firstLine = (afterData ?? beforeData ?? Buffer.alloc(0)).subarray(0, 200).toString("latin1").split("\n")[0];
    const text = (b: Buffer | undefined, side: SideMeta | null) => {
      if (side?.type !== "file" || !b) return null;
      const enc = detectEncoding(b);
      return decodeText(b, enc === "binary" ? "latin-1" : enc);
    };
    return {
      ...base,
      ...(warning ? { warning } : {}),
      content: { kind: "text", language: detectLanguage(p, firstLine), before: text(beforeData, before), after: text(afterData, after) },
    };
  }
  const tooLarge = (before?.size ?? 0) > MAX_TEXT || (after?.size ?? 0) > MAX_TEXT;
  return {
    ...base,
    ...(warning ? { warning } : {}),
    content: {
      kind: "binary",
      reason: tooLarge && !(beforeData && detectEncoding(beforeData) === "binary") ? "too-large" : "binary",
      before: before?.type === "file" ? await binarySide(beforeData, before.size, before.sha256) : null,
      after: after?.type === "file" ? await binarySide(afterData, after.size, after.sha256) : null,
    },
  };
}

/** Refuses a path that is not a pending change now (nothing to show, nothing to revert). */
export function assertChanged(d: ChangeDiff): void {
  if (d.kind === "unchanged")
    throw new AppError("not_found", `${d.path} has no pending change in ${d.image}: it is as in the published archive.`);
}
