import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { keepPublishedArchive, listKeptVersions, nextVersionSeq, versionManifestFile } from "./archive-versions.ts";
import { versionsDirFor } from "./state-dir.ts";

const work = mkdtempSync(path.join(tmpdir(), "archive-versions-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Publishes `text` at `archive` as a pack does: a new inode renamed over the name. */
function publish(archive: string, text: string): void {
  writeFileSync(`${archive}.tmp`, text);
  renameSync(`${archive}.tmp`, archive);
}

describe("the versions folder", () => {
  it("keeps each published archive once, as <seq>-<name>, and exactly `keep` of them with their manifests", async () => {
    const archive = path.join(work, "a", "rootimg.cpio.gz");
    mkdirSync(path.dirname(archive));
    publish(archive, "one");
    const first = await keepPublishedArchive(archive, 2);
    expect(await keepPublishedArchive(archive, 2)).toEqual({ kept: first.kept, removed: [] }); // same inode: not kept twice
    writeFileSync(versionManifestFile(versionsDirFor(archive), 1), "{}");
    publish(archive, "two");
    await keepPublishedArchive(archive, 2);
    publish(archive, "three");
    const r = await keepPublishedArchive(archive, 2);
    expect(r.removed).toEqual([path.join(versionsDirFor(archive), "1-rootimg.cpio.gz")]);
    // unfiltered: the manifest of the removed version went with it
    expect(readdirSync(versionsDirFor(archive)).sort()).toEqual(["2-rootimg.cpio.gz", "3-rootimg.cpio.gz"]);
    expect(statSync(r.kept!).ino).toBe(statSync(archive).ino);
  });

  it("numbers above every kept file, so a file no record owns is never overwritten", () => {
    const archive = path.join(work, "b", "rootimg.cpio.gz");
    mkdirSync(versionsDirFor(archive), { recursive: true });
    writeFileSync(path.join(versionsDirFor(archive), "7-rootimg.cpio.xz"), "unowned");
    writeFileSync(path.join(versionsDirFor(archive), "notes.txt"), "not a version");
    expect(listKeptVersions(archive).map((v) => v.seq)).toEqual([7]);
    expect(nextVersionSeq(archive, 3)).toBe(8);
    expect(nextVersionSeq(archive, 9)).toBe(10);
  });

  it("refuses a retention below one and does nothing without an archive", async () => {
    await expect(keepPublishedArchive(path.join(work, "none", "rootimg.cpio.gz"), 0)).rejects.toThrow(/at least 1/);
    expect(await keepPublishedArchive(path.join(work, "none", "rootimg.cpio.gz"), 1)).toEqual({ removed: [] });
    expect(existsSync(path.join(work, "none"))).toBe(false);
  });
});
