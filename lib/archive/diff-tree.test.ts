import { appendFileSync, chmodSync, chownSync, lchownSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffTree } from "./diff-tree.ts";
import { readManifest } from "./manifest.ts";
import { packTree } from "./pack-tree.ts";
import { makeFixtureTree, tmp } from "./test-fixtures.ts";
import { unpackArchive } from "./unpack-archive.ts";

let work: string;
let tree: string;
beforeAll(async () => {
  work = tmp("arch-diff-");
  const src = path.join(work, "src");
  makeFixtureTree(src);
  await packTree({ tree: src, archive: path.join(work, "a.cpio.gz") });
  tree = path.join(work, "rootimg");
  await unpackArchive({ archive: path.join(work, "a.cpio.gz"), dest: tree });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("diffTree", () => {
  it("an untouched unpacked tree has no changes, and the manifest holds hashes, owners, devices", async () => {
    expect((await diffTree({ tree })).changes).toEqual([]);
    const m = (await readManifest(tree))!;
    const byPath = new Map(m.entries.map((e) => [e.path, e]));
    expect(byPath.get("etc/owned")).toMatchObject({ type: "file", uid: 1234, gid: 4321, mode: 0o640, size: 6 });
    expect(byPath.get("etc/motd")!.sha256).toBe("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
    expect(byPath.get("dev/loop9")).toMatchObject({ type: "block", rdevMajor: 7, rdevMinor: 9 });
    expect(byPath.get("etc/localtime")).toMatchObject({ type: "symlink", target: "/usr/share/zoneinfo/UTC" });
    expect(byPath.get("usr/bin/perl5.36")!.sha256).toBe(byPath.get("usr/bin/perl")!.sha256);
  });

  it("reports A, D, M, m and T with one entry per change, sorted by path", async () => {
    appendFileSync(path.join(tree, "etc/motd"), "more\n");
    writeFileSync(path.join(tree, "etc/new file"), "n");
    unlinkSync(path.join(tree, "etc/empty"));
    chmodSync(path.join(tree, "usr/bin/suid"), 0o755);
    chownSync(path.join(tree, "etc/owned"), 0, 0);
    unlinkSync(path.join(tree, "etc/dangling"));
    symlinkSync("elsewhere", path.join(tree, "etc/dangling"));
    lchownSync(path.join(tree, "etc/dangling"), 7, 8);
    unlinkSync(path.join(tree, "etc/latin1.conf"));
    symlinkSync("motd", path.join(tree, "etc/latin1.conf"));
    // Same content, new mtime: not a change (hash confirms it).
    utimesSync(path.join(tree, "etc/sub dir/deep"), new Date(), new Date());
    const r = await diffTree({ tree });
    expect(r.changes.map((c) => `${c.letter} ${c.path}`)).toEqual([
      "m etc/dangling",
      "D etc/empty",
      "T etc/latin1.conf",
      "M etc/motd",
      "A etc/new file",
      "m etc/owned",
      "m usr/bin/suid",
    ]);
    expect(r.changes.find((c) => c.path === "etc/owned")!.fields).toEqual(["uid", "gid"]);
    expect(r.changes.find((c) => c.path === "etc/dangling")!.fields).toEqual(["target"]);
  });
});
