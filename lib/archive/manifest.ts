import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ArchiveError } from "./errors.ts";
import { stateDirFor } from "./state-dir.ts";
import type { Manifest } from "./types.ts";

export function manifestPathFor(tree: string): string {
  return path.join(stateDirFor(tree), "manifest.json");
}

/** The pristine manifest recorded when `tree` was unpacked, or null if it was never unpacked by us. */
export async function readManifest(tree: string): Promise<Manifest | null> {
  let text: string;
  try {
    text = readFileSync(manifestPathFor(tree), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  try {
    const m = JSON.parse(text) as Manifest;
    if (m.version !== 1 || !Array.isArray(m.entries)) throw new Error("unknown manifest version");
    return m;
  } catch (e) {
    throw new ArchiveError(`manifest ${manifestPathFor(tree)} is unreadable (${(e as Error).message}); unpack the image again`, {
      cause: e,
    });
  }
}

/** Writes JSON to a temp file and renames it into place (never a half-written state file). */
export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}

export function writeManifestFile(file: string, manifest: Manifest): void {
  writeJsonAtomic(file, manifest);
}
