import { existsSync, linkSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { versionsDirFor } from "./state-dir.ts";

/**
 * The one layout of kept archives, shared by the server (lib/images/versions.ts, which adds a database row per
 * version) and the CLI's `rootimg pack`: `dirname(archive)/.rootimg-studio/versions/<seq>-<basename>` is a hard
 * link to the archive published as version `seq` (the live name is only ever replaced by rename, so the link
 * keeps the old bytes without a copy), and `manifest-<seq>.json` beside it is that version's pristine manifest.
 * Nothing else is written into that folder.
 */

export type KeptVersion = { seq: number; file: string };

const NAME = /^(\d+)-(rootimg\.(?:cpio|tar)\.(?:gz|xz)|rootimg\.gz)$/;

export function versionFile(archive: string, seq: number): string {
  return path.join(versionsDirFor(archive), `${seq}-${path.basename(archive)}`);
}

/** The pristine manifest kept with version `seq` of the archives in `versionsDir`. */
export function versionManifestFile(versionsDir: string, seq: number): string {
  return path.join(versionsDir, `manifest-${seq}.json`);
}

/** Every kept archive beside `archive` (whatever its format), oldest first. */
export function listKeptVersions(archive: string): KeptVersion[] {
  const dir = versionsDirFor(archive);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => ({ m: NAME.exec(f), f }))
    .filter((x): x is { m: RegExpExecArray; f: string } => x.m !== null)
    .map(({ m, f }) => ({ seq: Number(m[1]), file: path.join(dir, f) }))
    .sort((a, b) => a.seq - b.seq);
}

/** A sequence number no kept file uses yet, above `floor` (the highest one a caller has recorded elsewhere). */
export function nextVersionSeq(archive: string, floor = 0): number {
  return Math.max(floor, ...listKeptVersions(archive).map((v) => v.seq)) + 1;
}

/** Keeps the archive published now as version `seq` (a hard link); returns its path. */
export function keepAsVersion(archive: string, seq: number): string {
  const kept = versionFile(archive, seq);
  mkdirSync(path.dirname(kept), { recursive: true });
  rmSync(kept, { force: true });
  linkSync(archive, kept);
  return kept;
}

/**
 * Removes a kept archive and its manifest, on the libuv pool: freeing a few hundred MB is not free (tens of ms
 * on tmpfs, more on a disk) and the server must not stand still meanwhile.
 */
export async function removeKeptVersion(file: string, seq: number): Promise<void> {
  await Promise.all([rm(file, { force: true }), rm(versionManifestFile(path.dirname(file), seq), { force: true })]);
}

/**
 * The CLI's retention, without a database: keeps the archive published at `archive` as the next version unless a
 * kept file already is that archive (same inode), then removes the oldest kept archives so that exactly `keep`
 * remain, the live one among them. Returns the kept path of the live archive and what was removed.
 */
export async function keepPublishedArchive(archive: string, keep: number): Promise<{ kept?: string; removed: string[] }> {
  if (!Number.isInteger(keep) || keep < 1)
    throw new RangeError(`keep must be a whole number of at least 1 (the live archive), not ${keep}`);
  if (!existsSync(archive)) return { removed: [] };
  const ino = statSync(archive).ino;
  let kept = listKeptVersions(archive).find((v) => statSync(v.file).ino === ino)?.file;
  kept ??= keepAsVersion(archive, nextVersionSeq(archive));
  const all = listKeptVersions(archive);
  const others = all.filter((v) => v.file !== kept);
  const drop = others.slice(0, Math.max(0, all.length - keep));
  await Promise.all(drop.map((v) => removeKeptVersion(v.file, v.seq)));
  return { kept, removed: drop.map((v) => v.file) };
}
