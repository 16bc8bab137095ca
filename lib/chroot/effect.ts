import type fs from "node:fs";
import { typeOfStats } from "@/lib/archive/walk-tree";

/** What a command did to one path of the image, as the review shows it. */
export type EffectKind = "added" | "removed" | "modified" | "metadata" | "type";
export type EntryType = "file" | "dir" | "symlink" | "fifo" | "char" | "block" | "socket";
export type EffectField = "content" | "mode" | "owner" | "target" | "device";

export type EntryState = {
  type: EntryType;
  /** permission bits with setuid/setgid/sticky */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** symlink target */
  target?: string;
  /** identity used to detect that the tree changed between the run and the apply */
  ino: number;
  mtimeMs: number;
};

export type EffectEntry = {
  /** absolute path inside the image, e.g. /etc/motd */
  path: string;
  kind: EffectKind;
  /** for modified / metadata: what differs */
  fields?: EffectField[];
  /** the tree's entry before the command (absent for added) */
  before?: EntryState;
  /** the entry after the command (absent for removed) */
  after?: EntryState;
  /** the tree's entry (its bytes, or the removed subtree) was moved aside into the run's originals by the apply */
  original?: boolean;
};

export const LETTER: Record<EffectKind, string> = { added: "A", removed: "D", modified: "M", metadata: "m", type: "T" };

export function entryState(st: fs.Stats, target?: string): EntryState {
  return {
    type: typeOfStats(st),
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    ...(target !== undefined ? { target } : {}),
    ino: st.ino,
    mtimeMs: st.mtimeMs,
  };
}

/** The metadata fields that differ between two entries of the same type (content is compared by the caller). */
export function metadataFields(a: EntryState, b: EntryState, rdevDiffers = false): EffectField[] {
  const f: EffectField[] = [];
  if (a.type !== "symlink" && a.mode !== b.mode) f.push("mode");
  if (a.uid !== b.uid || a.gid !== b.gid) f.push("owner");
  if (a.type === "symlink" && a.target !== b.target) f.push("target");
  if (rdevDiffers) f.push("device");
  return f;
}

/** A one-line summary, e.g. "1 changed (mode)", "3 added, 1 removed". */
export function summarizeEffect(entries: EffectEntry[]): string {
  if (entries.length === 0) return "no changes";
  const n = (k: EffectKind) => entries.filter((e) => e.kind === k).length;
  const parts: string[] = [];
  if (n("added")) parts.push(`${n("added")} added`);
  if (n("removed")) parts.push(`${n("removed")} removed`);
  const changed = n("modified") + n("metadata") + n("type");
  if (changed) parts.push(`${changed} changed`);
  return parts.join(", ");
}
