/**
 * The pristine store against real archives: one the product packed (members located by the pack cache), a
 * foreign single-stream cpio.gz (copies kept at unpack, then a read from the start), and copies kept when a
 * path is first changed through the product, extended attributes included.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPackCache } from "@/lib/archive/pack-cache";
import { packTree } from "@/lib/archive/pack-tree";
import { makeFixtureTree, sh, tmp } from "@/lib/archive/test-fixtures";
import { unpackArchive } from "@/lib/archive/unpack-archive";
import { recordTreeManifest } from "@/lib/images/record-tree-manifest";
import { readEntryFromArchive, walkOrder } from "./archive-read";
import {
  capturePristine,
  dropPristineStore,
  pristineManifest,
  pristineOfTree,
  pristineStoreDir,
  seedPristineAtUnpack,
} from "./pristine-store";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function work(): string {
  const d = tmp("pristine-");
  dirs.push(d);
  return d;
}

/** The fixture tree plus enough text files to spread over many gzip members. */
function makeTree(root: string): void {
  makeFixtureTree(root);
  for (let i = 0; i < 40; i++) {
    fs.mkdirSync(path.join(root, `usr/share/doc/pkg${i}`), { recursive: true });
    fs.writeFileSync(path.join(root, `usr/share/doc/pkg${i}/README`), `package ${i}\n${"text line\n".repeat(200 + i)}`);
  }
  fs.writeFileSync(path.join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nalice:x:1234:4321::/home/alice:/bin/sh\n");
  fs.writeFileSync(path.join(root, "etc/group"), "root:x:0:\nstaff:x:4321:\n");
}

/** A tree as the product leaves it after a pack: the published archive, its pack cache and the manifest of it. */
async function packedTree(): Promise<{ tree: string; archive: string }> {
  const d = work();
  const tree = path.join(d, "rootimg");
  makeTree(tree);
  const archive = path.join(d, "rootimg.cpio.gz");
  await packTree({ tree, archive, memberSize: 8 * 1024 });
  await recordTreeManifest({ tree, source: archive });
  return { tree, archive };
}

describe("walkOrder", () => {
  it("orders paths as the pack writes them: parents first, names sorted per directory", () => {
    const paths = ["a.txt", "a/x", "a", ".", "b", "a/x/y", "a-b"];
    expect([...paths].sort(walkOrder)).toEqual([".", "a", "a/x", "a/x/y", "a-b", "a.txt", "b"]);
  });
});

describe("an archive the product packed", () => {
  it("finds every regular file's bytes through the member index, hard links included", async () => {
    const { tree, archive } = await packedTree();
    const pm = (await pristineManifest(tree))!;
    expect(loadPackCache(tree)?.cache.members.length).toBeGreaterThan(10);
    const files = pm.manifest.entries.filter((e) => e.type === "file");
    expect(files.length).toBeGreaterThan(50);
    for (const m of files) {
      const names = pm.manifest.entries
        .filter((e) => e.path === (m.linkTo ?? m.path) || e.linkTo === (m.linkTo ?? m.path))
        .map((e) => e.path);
      const got = await readEntryFromArchive({ archive, tree, target: { names, size: m.size } });
      expect(got?.via, m.path).toBe("member-index");
      expect(got?.data.equals(fs.readFileSync(path.join(tree, m.path))), m.path).toBe(true);
    }
  });

  it("gives the pristine bytes of a file changed by hand on the management node", async () => {
    const { tree } = await packedTree();
    const before = fs.readFileSync(path.join(tree, "usr/share/doc/pkg17/README"));
    fs.writeFileSync(path.join(tree, "usr/share/doc/pkg17/README"), "changed by hand\n");
    fs.rmSync(path.join(tree, "etc/perl-hardlink"));
    const p = (await pristineOfTree(tree, "/usr/share/doc/pkg17/README"))!;
    expect(p).toMatchObject({ type: "file", mode: 0o644, uid: 0, gid: 0, size: before.length, readCost: "archive-index" });
    expect((await p.content()).equals(before)).toBe(true);
    // a removed name of a hard-link group: cpio holds the data under the group's last name
    const link = (await pristineOfTree(tree, "/etc/perl-hardlink"))!;
    expect((await link.content()).equals(Buffer.alloc(70000, 7))).toBe(true);
    expect(await pristineOfTree(tree, "/etc/not-there")).toBeNull();
    expect(await pristineOfTree(tree, "/etc/rel-link")).toMatchObject({ type: "symlink", linkTarget: "../usr/bin/perl" });
    expect(await pristineOfTree(tree, "/dev/loop9")).toMatchObject({ type: "block", rdevMajor: 7, rdevMinor: 9, gid: 6 });
  });
});

describe("a foreign single-stream archive", () => {
  async function foreign(): Promise<{ tree: string; archive: string }> {
    const d = work();
    const src = path.join(d, "src");
    makeTree(src);
    const list = sh("find", [".", "-print0"], { cwd: src });
    const raw = sh("cpio", ["-o", "-0", "-H", "newc", "--quiet"], { cwd: src, input: list });
    const archive = path.join(d, "rootimg.cpio.gz");
    fs.writeFileSync(archive, sh("gzip", ["-c"], { input: raw }));
    const tree = path.join(d, "rootimg");
    await unpackArchive({ archive, dest: tree });
    return { tree, archive };
  }

  it("keeps the small text files at unpack and serves them without the archive", async () => {
    const { tree, archive } = await foreign();
    const seed = await seedPristineAtUnpack(tree);
    expect(seed.distinct).toBeGreaterThan(40);
    expect(seed.storedBytes).toBeLessThan(seed.rawBytes);
    const motd = fs.readFileSync(path.join(tree, "etc/motd"));
    fs.writeFileSync(path.join(tree, "etc/motd"), "edited by hand\n");
    expect(await pristineOfTree(tree, "/etc/motd")).toMatchObject({ readCost: "kept" });
    expect(await pristineOfTree(tree, "/usr/bin/perl")).toMatchObject({ readCost: "archive-scan", binaryByUnpack: true });
    fs.renameSync(archive, `${archive}.away`);
    try {
      expect((await (await pristineOfTree(tree, "/etc/motd"))!.content()).equals(motd)).toBe(true);
      // binary files are not kept: they need the archive
      await expect((await pristineOfTree(tree, "/usr/bin/perl"))!.content()).rejects.toThrow();
    } finally {
      fs.renameSync(`${archive}.away`, archive);
    }
  });

  it("reads from the start of the archive what was not kept", async () => {
    const { tree, archive } = await foreign();
    const perl = fs.readFileSync(path.join(tree, "usr/bin/perl"));
    const got = await readEntryFromArchive({
      archive,
      tree,
      target: { names: ["usr/bin/perl", "usr/bin/perl5.36", "etc/perl-hardlink"], size: perl.length },
    });
    expect(got?.via).toBe("scan");
    expect(got?.data.equals(perl)).toBe(true);
    fs.writeFileSync(path.join(tree, "etc/sub dir/deep"), "new");
    expect((await (await pristineOfTree(tree, "/etc/sub dir/deep"))!.content()).toString()).toBe("x".repeat(5000));
  });
});

describe("copies kept at the first change through the product", () => {
  it("keeps content and extended attributes, verified, once", async () => {
    const { tree, archive } = await packedTree();
    const motd = path.join(tree, "etc/motd");
    sh("setfattr", ["-n", "user.review", "-v", "kept", motd]);
    const r = await capturePristine(tree, ["/etc/motd"]);
    expect(r).toEqual({ captured: 1, bytes: 6 });
    fs.writeFileSync(motd, "changed through the editor\n");
    sh("setfattr", ["-x", "user.review", motd]);
    expect(await capturePristine(tree, ["/etc/motd"])).toEqual({ captured: 0, bytes: 0 });
    fs.rmSync(archive); // the kept copy alone
    const p = (await pristineOfTree(tree, "/etc/motd"))!;
    expect((await p.content()).toString()).toBe("hello\n");
    expect(p.xattrs).toEqual({ "user.review": Buffer.from("kept").toString("base64") });
  });

  it("keeps no copy of a file already changed outside the product, and everything below a deleted directory", async () => {
    const { tree } = await packedTree();
    fs.writeFileSync(path.join(tree, "etc/motd"), "by hand first\n");
    expect(await capturePristine(tree, ["/etc/motd"])).toEqual({ captured: 1, bytes: 0 });
    const r = await capturePristine(tree, ["/usr/share/doc"]);
    expect(r.captured).toBe(1); // the directory's record; the READMEs below it as blobs
    expect(fs.readdirSync(path.join(pristineStoreDir(tree), "blobs")).length).toBe(40);
    dropPristineStore(tree);
    expect(fs.existsSync(pristineStoreDir(tree))).toBe(false);
  });
});
