import { execFile } from "node:child_process";
import type fs from "node:fs";
import { lstat, open, readdir, readlink } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { type EffectEntry, type EntryState, entryState, metadataFields } from "./effect";

const run = promisify(execFile);

/** The overlay xattrs (trusted.overlay.*) of every path of the upper layer that has any, by relative path. */
export type OverlayXattrs = Map<string, string[]>;

/** `getfattr` escapes unusual bytes in names as \ooo octal. */
function unescapeGetfattr(s: string): string {
  return Buffer.from(
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))),
    "latin1",
  ).toString("utf8");
}

/**
 * One `getfattr` over the upper layer, not one per directory: only copied-up and replaced entries carry
 * overlay xattrs, and the opaque flag (`trusted.overlay.opaque=y`: a directory that hides the lower one)
 * is the only one the effect depends on; the others are removed from files moved into the tree.
 */
export async function readOverlayXattrs(upper: string): Promise<OverlayXattrs> {
  const out: OverlayXattrs = new Map();
  let stdout: string;
  try {
    ({ stdout } = await run("getfattr", ["-R", "-h", "-d", "-m", "^trusted\\.overlay\\.", "--absolute-names", upper], {
      maxBuffer: 256 * 1024 * 1024,
      encoding: "latin1",
    }));
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stdout?: string };
    if (err.code === "ENOENT") throw new Error('getfattr is missing: install the Debian package "attr"');
    stdout = err.stdout ?? ""; // a file vanishing during the walk: keep what was read
  }
  let current: string | undefined;
  for (const line of stdout.split("\n")) {
    if (line.startsWith("# file: ")) {
      const abs = unescapeGetfattr(line.slice(8));
      current = path.relative(upper, abs);
      continue;
    }
    const m = /^(trusted\.overlay\.[^=]+)=(.*)$/.exec(line);
    if (m && current !== undefined) {
      const names = out.get(current) ?? [];
      names.push(m[1] === "trusted.overlay.opaque" && /^"?y"?$/.test(m[2]) ? "trusted.overlay.opaque=y" : m[1]);
      out.set(current, names);
    }
  }
  return out;
}

async function lstatOrNull(p: string): Promise<fs.Stats | null> {
  try {
    return await lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return null;
    throw e;
  }
}

async function stateOf(abs: string, st: fs.Stats): Promise<EntryState> {
  return entryState(st, st.isSymbolicLink() ? await readlink(abs) : undefined);
}

/** Byte comparison of two files of equal size, in 1 MiB chunks. */
async function sameBytes(a: string, b: string): Promise<boolean> {
  const [fa, fb] = await Promise.all([open(a, "r"), open(b, "r")]);
  try {
    const ba = Buffer.alloc(1 << 20);
    const bb = Buffer.alloc(1 << 20);
    for (;;) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, ba.length), fb.read(bb, 0, bb.length)]);
      if (ra.bytesRead !== rb.bytesRead) return false;
      if (ra.bytesRead === 0) return true;
      if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
    }
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

const isWhiteout = (st: fs.Stats) => st.isCharacterDevice() && st.rdev === 0;

/**
 * What a command run on an overlay did, read from the upper layer alone (no walk of the tree): every entry
 * in `upper` is compared with the same path of `lower` (the tree). Whiteouts (0/0 character devices) are
 * deletions; an opaque directory replaces the lower one, so lower entries it does not contain are deletions
 * too; a copy-up that changed nothing (e.g. `touch`) is no change. Sorted by path, parents first.
 */
export async function readOverlayEffect(o: { lower: string; upper: string; xattrs?: OverlayXattrs }): Promise<EffectEntry[]> {
  const xattrs = o.xattrs ?? (await readOverlayXattrs(o.upper));
  const out: EffectEntry[] = [];
  const opaque = (rel: string) => xattrs.get(rel)?.includes("trusted.overlay.opaque=y") ?? false;

  async function removedUnder(rel: string, keep: Set<string>) {
    let names: string[];
    try {
      names = await readdir(path.join(o.lower, rel));
    } catch {
      return;
    }
    for (const name of names) {
      if (keep.has(name)) continue;
      const r = path.join(rel, name);
      const st = await lstat(path.join(o.lower, r));
      out.push({ path: `/${r}`, kind: "removed", before: await stateOf(path.join(o.lower, r), st) });
    }
  }

  /** mode: merge = lower entries stay unless whited out; replace = lower entries not in upper are gone; new = no lower here */
  async function walk(rel: string, mode: "merge" | "replace" | "new") {
    const names = await readdir(path.join(o.upper, rel));
    for (const name of names) {
      const r = path.join(rel, name);
      const up = await lstat(path.join(o.upper, r));
      const low = mode === "new" ? null : await lstatOrNull(path.join(o.lower, r));
      const p = `/${r}`;
      if (isWhiteout(up)) {
        if (low) out.push({ path: p, kind: "removed", before: await stateOf(path.join(o.lower, r), low) });
        continue;
      }
      const after = await stateOf(path.join(o.upper, r), up);
      if (!low) {
        out.push({ path: p, kind: "added", after });
        if (up.isDirectory()) await walk(r, "new");
        continue;
      }
      const before = await stateOf(path.join(o.lower, r), low);
      if (before.type !== after.type) {
        out.push({ path: p, kind: "type", before, after });
        if (up.isDirectory()) await walk(r, "new");
        continue;
      }
      const meta = metadataFields(before, after, (up.isCharacterDevice() || up.isBlockDevice()) && up.rdev !== low.rdev);
      if (up.isDirectory()) {
        if (meta.length) out.push({ path: p, kind: "metadata", fields: meta, before, after });
        await walk(r, opaque(r) || mode === "replace" ? "replace" : "merge");
        continue;
      }
      const content = up.isFile() && (up.size !== low.size || !(await sameBytes(path.join(o.upper, r), path.join(o.lower, r))));
      if (content) out.push({ path: p, kind: "modified", fields: ["content", ...meta], before, after });
      else if (meta.length) out.push({ path: p, kind: meta.includes("target") ? "modified" : "metadata", fields: meta, before, after });
    }
    if (mode === "replace") await removedUnder(rel, new Set(names));
  }

  await walk("", "merge");
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
