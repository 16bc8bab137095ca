import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  ftruncateSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArchiveCancelledError, FileTooLargeError } from "./errors.ts";
import { packTree } from "./pack-tree.ts";
import { stateDirFor, versionsDirFor } from "./state-dir.ts";
import { listTree, makeFixtureTree, sh, tmp } from "./test-fixtures.ts";
import { unpackArchive } from "./unpack-archive.ts";

let work: string;
let tree: string;
beforeAll(() => {
  work = tmp("arch-pack-");
  tree = path.join(work, "rootimg");
  makeFixtureTree(tree);
  // Enough incompressible data for many members at a 64 KiB member size.
  mkdirSync(path.join(tree, "usr/lib"), { recursive: true });
  for (let i = 0; i < 40; i++) writeFileSync(path.join(tree, `usr/lib/lib${i}.so`), randomBytes(20_000 + i * 100));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const M = 64 * 1024;

describe("packTree", () => {
  it("incremental repack after a one-file edit recompresses one member and equals a full pack byte for byte", async () => {
    const archive = path.join(work, "rootimg.cpio.gz");
    const first = await packTree({ tree, archive, memberSize: M });
    expect(first.members).toBeGreaterThan(5);
    expect(first.membersReused).toBe(0);
    const again = await packTree({ tree, archive, memberSize: M });
    // Unchanged tree: every data member is reused; only the trailer member is rewritten.
    expect(again.membersReused).toBe(again.members - 1);
    appendFileSync(path.join(tree, "usr/lib/lib17.so"), "edit");
    const inc = await packTree({ tree, archive, memberSize: M });
    expect(inc.membersReused).toBe(inc.members - 2);
    // More kinds of change: a new file, a removed file, a new hard link, a chmod, a renamed directory entry.
    writeFileSync(path.join(tree, "usr/lib/new.so"), randomBytes(1000));
    rmSync(path.join(tree, "usr/lib/lib3.so"));
    linkSync(path.join(tree, "usr/lib/lib30.so"), path.join(tree, "usr/lib/lib30-link.so"));
    chmodSync(path.join(tree, "usr/lib/lib22.so"), 0o600);
    const inc2 = await packTree({ tree, archive, memberSize: M });
    expect(inc2.membersReused).toBeGreaterThan(inc2.members / 2);
    const incRaw = gunzipSync(readFileSync(archive));
    const fullArchive = path.join(work, "full.cpio.gz");
    const full = await packTree({ tree, archive: fullArchive, memberSize: M, full: true });
    expect(full.membersReused).toBe(0);
    expect(incRaw.equals(gunzipSync(readFileSync(fullArchive)))).toBe(true);
    // And that stream is what GNU cpio extracts into an identical tree.
    const out = path.join(work, "inc-x");
    mkdirSync(out);
    sh("cpio", ["-idum", "--quiet"], { cwd: out, input: incRaw });
    const o = { dirMtimes: false, symlinkMtimes: false };
    expect(listTree(out, o)).toEqual(listTree(tree, o));
  });

  it("members fed to libdeflate through its 1 MiB piece buffer decompress to the same newc stream as zlib's built ones", async () => {
    const t = path.join(work, "pieces");
    mkdirSync(path.join(t, "d"), { recursive: true });
    // Sizes around and across the piece buffer, odd lengths (padding), a symlink and a hard link.
    const sizes = [0, 1, 3, (1 << 20) - 1, 1 << 20, (1 << 20) + 3, 2_500_001, 70_000];
    for (const [i, n] of sizes.entries()) writeFileSync(path.join(t, `d/f${i}`), randomBytes(n));
    for (let i = 0; i < 300; i++) writeFileSync(path.join(t, `d/small${i}`), `${i}\n`.repeat(i));
    symlinkSync("f1", path.join(t, "d/link"));
    linkSync(path.join(t, "d/f6"), path.join(t, "d/hard"));
    const lib = path.join(work, "pieces-lib.cpio.gz");
    const zl = path.join(work, "pieces-zlib.cpio.gz");
    await packTree({ tree: t, archive: lib, full: true, compressor: "libdeflate", memberSize: 1 << 20 });
    await packTree({ tree: t, archive: zl, full: true, compressor: "zlib", memberSize: 1 << 20 });
    const raw = gunzipSync(readFileSync(lib));
    expect(raw.equals(gunzipSync(readFileSync(zl)))).toBe(true);
    expect(raw.length).toBeGreaterThan(sizes.reduce((x, y) => x + y, 0));
  });

  it("publishes by rename and leaves earlier archives alone: nothing but the archive matches rootimg.* in its folder", async () => {
    const archive = path.join(work, "v", "rootimg.cpio.gz");
    mkdirSync(path.dirname(archive));
    await packTree({ tree, archive });
    await packTree({ tree, archive });
    // Nothing but the archive itself matches xCAT's unlink glob rootimg.* in rootimgdir, and no version is kept
    // by the pack itself (archive-versions.ts is the one owner of that folder).
    expect(readdirSync(path.dirname(archive)).filter((f) => f.startsWith("rootimg."))).toEqual(["rootimg.cpio.gz"]);
    expect(existsSync(versionsDirFor(archive))).toBe(false);
    expect(statSync(archive).mode & 0o777).toBe(0o644);
  });

  it("stamps opt/xcat/xcatinfo like packimage and returns the UUID", async () => {
    const archive = path.join(work, "stamp.cpio.gz");
    const r = await packTree({ tree, archive, stamp: "rocky9-compute" });
    expect(r.uuid).toMatch(/^[0-9a-f-]{36}$/);
    const info = readFileSync(path.join(tree, "opt/xcat/xcatinfo"), "utf8");
    expect(info).toMatch(
      new RegExp(
        `^IMAGENAME='rocky9-compute'\nIMAGEUUID='${r.uuid}'\nTIMESTAMP='\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d UTC \\d{4}'\n$`,
      ),
    );
    const listing = sh("cpio", ["-t", "--quiet"], { input: gunzipSync(readFileSync(archive)) }).toString();
    expect(listing.split("\n")).toContain("opt/xcat/xcatinfo");
  });

  it("applies an xCAT exlist: excludes, + re-includes, root '.' entry first, order like find", async () => {
    const ex = path.join(work, "compute.exlist");
    writeFileSync(ex, "./usr/lib/lib1*   # all lib1x\n+./usr/lib/lib15.so\n./names*\n");
    const archive = path.join(work, "ex.cpio.gz");
    await packTree({ tree, archive, exlist: ex });
    const names = sh("cpio", ["-t", "--quiet"], { input: gunzipSync(readFileSync(archive)) })
      .toString()
      .trim()
      .split("\n");
    expect(names[0]).toBe(".");
    expect(names).not.toContain("usr/lib/lib1.so");
    expect(names).not.toContain("usr/lib/lib12.so");
    expect(names).toContain("usr/lib/lib15.so");
    expect(names).toContain("usr/lib/lib2.so");
    expect(names.some((n) => n.startsWith("names"))).toBe(false);
    // Parents before children.
    const idx = new Map(names.map((n, i) => [n, i]));
    for (const n of names) if (n.includes("/")) expect(idx.get(path.dirname(n)) ?? -1).toBeLessThan(idx.get(n)!);
  });

  it("keeps the site.timezone zone file (and its link target) that the stock ./usr/share/zoneinfo* exclude drops", async () => {
    const t = path.join(work, "tz-tree");
    mkdirSync(path.join(t, "usr/share/zoneinfo/Etc"), { recursive: true });
    mkdirSync(path.join(t, "etc"));
    writeFileSync(path.join(t, "usr/share/zoneinfo/Etc/UTC"), "TZif2");
    writeFileSync(path.join(t, "usr/share/zoneinfo/Etc/GMT"), "TZif2");
    symlinkSync("Etc/UTC", path.join(t, "usr/share/zoneinfo/Universal"));
    symlinkSync("../usr/share/zoneinfo/Universal", path.join(t, "etc/localtime"));
    const ex = path.join(work, "tz.exlist");
    writeFileSync(ex, "./usr/share/zoneinfo*\n");
    const names = async (timezone?: string) => {
      const archive = path.join(work, `tz-${timezone ?? "none"}.cpio.gz`);
      await packTree({ tree: t, archive, exlist: ex, timezone });
      return sh("cpio", ["-t", "--quiet"], { input: gunzipSync(readFileSync(archive)) })
        .toString()
        .trim()
        .split("\n");
    };
    expect(await names()).toEqual([".", "etc", "etc/localtime", "usr", "usr/share"]);
    // As find's include pass lists them: the files without their excluded directories (cpio -idum makes those).
    expect(await names("Universal")).toEqual([
      ".",
      "etc",
      "etc/localtime",
      "usr",
      "usr/share",
      "usr/share/zoneinfo/Etc/UTC",
      "usr/share/zoneinfo/Universal",
    ]);
  });

  it("warns about xattrs (capabilities, ACLs, user.*) that newc drops", async () => {
    const f = path.join(tree, "usr/bin/perl5.36");
    sh("setfattr", ["-n", "user.note", "-v", "kept?", path.join(tree, "etc/motd")]);
    sh("setfacl", ["-m", "u:1234:rwx", path.join(tree, "tmp")]);
    sh("setcap", ["cap_net_raw=ep", f]);
    const r = await packTree({ tree, archive: path.join(work, "x.cpio.gz"), full: true });
    const w = r.warnings.join("\n");
    expect(w).toContain("etc/motd (user.note)");
    expect(w).toContain("tmp (system.posix_acl_access)");
    expect(w).toContain("security.capability");
    sh("setfattr", ["-x", "user.note", path.join(tree, "etc/motd")]);
    sh("setfacl", ["-b", path.join(tree, "tmp")]);
    sh("setcap", ["-r", f]);
  });

  it("refuses a file of 4 GiB or more (newc size field is 32 bits)", async () => {
    const big = path.join(work, "bigtree");
    mkdirSync(big);
    const fd = openSync(path.join(big, "huge.img"), "w");
    ftruncateSync(fd, 2 ** 32);
    closeSync(fd);
    const archive = path.join(work, "big.cpio.gz");
    const err = await packTree({ tree: big, archive }).catch((e) => e);
    expect(err).toBeInstanceOf(FileTooLargeError);
    expect(err.message).toContain("huge.img");
    expect(existsSync(archive)).toBe(false);
  });

  it("refuses to publish a temp file of an interrupted save or upload, and leaves the published archive as it was", async () => {
    const t = path.join(work, "with-temps");
    makeFixtureTree(t);
    const archive = path.join(work, "with-temps.cpio.gz");
    await packTree({ tree: t, archive });
    const before = statSync(archive);
    for (const name of [".rootimg-write-0123456789ab", ".motd.rootimg-a1b2c3d4e5f6"]) {
      writeFileSync(path.join(t, "etc", name), "partial");
      await expect(packTree({ tree: t, archive })).rejects.toThrow(`etc/${name}`);
      expect(statSync(archive).ino).toBe(before.ino);
      rmSync(path.join(t, "etc", name));
    }
    // a user's file that merely looks alike is packed
    writeFileSync(path.join(t, "etc/.rootimg-write-notes"), "mine");
    await packTree({ tree: t, archive });
    expect(readdirSync(path.dirname(archive)).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("cancel leaves the old archive untouched and no temp file", async () => {
    const dir = path.join(work, "c");
    mkdirSync(dir);
    const archive = path.join(dir, "rootimg.cpio.gz");
    await packTree({ tree, archive });
    const before = readFileSync(archive);
    const ac = new AbortController();
    const err = await packTree({ tree, archive, full: true, memberSize: M, signal: ac.signal, onProgress: () => ac.abort() }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ArchiveCancelledError);
    expect(readFileSync(archive).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f !== ".rootimg-studio")).toEqual(["rootimg.cpio.gz"]);
  });

  it("does not cross filesystems (-xdev): a mount point is packed, its contents are not", async () => {
    const t = path.join(work, "xdev");
    mkdirSync(path.join(t, "proc"), { recursive: true });
    writeFileSync(path.join(t, "kept"), "k");
    sh("mount", ["-t", "tmpfs", "none", path.join(t, "proc")]);
    try {
      writeFileSync(path.join(t, "proc/on-other-fs"), "x");
      const archive = path.join(work, "xdev.cpio.gz");
      await packTree({ tree: t, archive });
      const names = sh("cpio", ["-t", "--quiet"], { input: gunzipSync(readFileSync(archive)) })
        .toString()
        .trim()
        .split("\n");
      expect(names).toEqual([".", "kept", "proc"]);
    } finally {
      sh("umount", [path.join(t, "proc")]);
    }
  });

  it("the pack state lives next to the tree, never inside it", async () => {
    expect(existsSync(path.join(stateDirFor(tree), "pack-cache.json"))).toBe(true);
    expect(stateDirFor(tree).startsWith(`${tree}/`)).toBe(false);
    const dest = path.join(work, "roundtrip");
    await unpackArchive({ archive: path.join(work, "rootimg.cpio.gz"), dest });
    expect(existsSync(path.join(dest, ".rootimg-studio"))).toBe(false);
  });
});
