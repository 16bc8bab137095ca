import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ManifestSpill } from "./manifest-spill.ts";
import type { ManifestEntry } from "./types.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const entry = (p: string, extra: Partial<ManifestEntry> = {}): ManifestEntry => ({
  path: p,
  type: "file",
  mode: 0o644,
  uid: 0,
  gid: 0,
  size: 1,
  mtime: 1,
  ...extra,
});

describe("ManifestSpill", () => {
  it("writes the same bytes as JSON.stringify of the manifest, in entry order, with late and dropped entries", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "spill-"));
    dirs.push(dir);
    const spill = new ManifestSpill(path.join(dir, "spill"));
    const n = 5000;
    const all: ManifestEntry[] = [];
    const seqs: number[] = [];
    for (let i = 0; i < n; i++) {
      seqs.push(spill.seq());
      all.push(entry(`dir/file-${i}-${"é".repeat(i % 7)}`, { sha256: String(i).padStart(64, "0") }));
    }
    // Every 10th entry becomes final only at the end (a digest from the worker, a hard-link group), every 13th is
    // replaced by a later entry of the same name.
    const late: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 10 === 3) late.push(i);
      else spill.add(seqs[i], all[i]);
      if (i % 13 === 5) spill.drop(seqs[i]);
    }
    for (const i of late.reverse()) spill.add(seqs[i], all[i]);
    const head = { version: 1, createdAt: "2026-01-01T00:00:00.000Z", archive: "/x/rootimg.cpio.gz", format: { compression: "gzip" } };
    const target = path.join(dir, "manifest.json");
    spill.write(target, head);
    const expected = JSON.stringify({ ...head, entries: all.filter((_, i) => i % 13 !== 5) });
    expect(readFileSync(target, "utf8")).toBe(expected);
    expect(existsSync(path.join(dir, "spill"))).toBe(false);
  });

  it("writes an empty list when nothing was recorded, and remove() leaves no file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "spill-"));
    dirs.push(dir);
    const a = new ManifestSpill(path.join(dir, "a"));
    a.write(path.join(dir, "m.json"), { version: 1 });
    expect(JSON.parse(readFileSync(path.join(dir, "m.json"), "utf8"))).toEqual({ version: 1, entries: [] });
    const b = new ManifestSpill(path.join(dir, "b"));
    b.add(b.seq(), entry("x"));
    b.remove();
    expect(existsSync(path.join(dir, "b"))).toBe(false);
  });
});
