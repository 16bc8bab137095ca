import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packTree } from "./pack-tree.ts";
import { countGzipMembers, listTree, makeFixtureTree, ODD_NAMES, sh, tmp } from "./test-fixtures.ts";
import { unpackArchive } from "./unpack-archive.ts";
import { verifyArchive } from "./verify-archive.ts";

// Round trips against the tools xCAT nodes and admins use: GNU cpio, bsdtar, busybox cpio, gzip.
let work: string;
let src: string;
let ours: string;

beforeAll(async () => {
  work = tmp("arch-rt-");
  src = path.join(work, "src");
  makeFixtureTree(src);
  ours = path.join(work, "ours.cpio.gz");
  await packTree({ tree: src, archive: ours, memberSize: 4096 });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("round trips", () => {
  it("fixture covers every entry type and the awkward names", () => {
    const l = listTree(src).join("\n");
    for (const t of [" file ", " dir ", " symlink ", " char ", " block ", " fifo "]) expect(l).toContain(t);
    for (const n of ODD_NAMES) expect(l).toContain(n);
    expect(l).toMatch(/usr\/bin\/perl file 755 0:0 70000 \d+ links=\[etc\/perl-hardlink\|usr\/bin\/perl\|usr\/bin\/perl5.36\]/);
  });

  it("our archive is extracted exactly by GNU cpio -idum (except what GNU cannot restore: dir and symlink mtimes)", () => {
    const out = path.join(work, "gnu-x");
    mkdirSync(out);
    const raw = sh("gzip", ["-cd", ours]);
    sh("cpio", ["-idum", "--quiet"], { cwd: out, input: raw });
    const o = { dirMtimes: false, symlinkMtimes: false };
    expect(listTree(out, o)).toEqual(listTree(src, o));
  });

  it("our multi-member gzip is one valid stream for gzip -cd and has many members", async () => {
    const v = await verifyArchive({ archive: ours });
    const raw = sh("gzip", ["-cd", ours]);
    expect(raw.length).toBe(v.bytes);
    expect(raw.length % 512).toBe(0);
    expect(sh("gzip", ["-t", ours]).length).toBe(0);
    const count = countGzipMembers((await import("node:fs")).readFileSync(ours));
    expect(count).toBeGreaterThan(3);
  });

  it("GNU cpio's archive is extracted exactly by us, including dir and symlink mtimes", async () => {
    const list = sh("find", ["."], { cwd: src });
    const raw = sh("cpio", ["-H", "newc", "-o", "--quiet"], { cwd: src, input: list });
    const arch = path.join(work, "gnu.cpio.gz");
    (await import("node:fs")).writeFileSync(arch, (await import("node:zlib")).gzipSync(raw));
    const dest = path.join(work, "from-gnu");
    const r = await unpackArchive({ archive: arch, dest });
    expect(r.entries).toBe(listTree(src).length);
    expect(listTree(dest)).toEqual(listTree(src));
  });

  it("our own pack then unpack reproduces the tree exactly", async () => {
    const dest = path.join(work, "from-ours");
    await unpackArchive({ archive: ours, dest });
    expect(listTree(dest)).toEqual(listTree(src));
  });

  it("bsdtar extracts our archive", () => {
    const out = path.join(work, "bsdtar-x");
    mkdirSync(out);
    sh("bsdtar", ["-xpf", ours, "-C", out, "--numeric-owner"]);
    // bsdtar leaves the pre-existing extraction directory's own mtime alone.
    const o = { root: false };
    expect(listTree(out, o)).toEqual(listTree(src, o));
  });

  it("busybox cpio extracts our archive", () => {
    const out = path.join(work, "busybox-x");
    mkdirSync(out);
    const raw = sh("gzip", ["-cd", ours]);
    sh("busybox", ["cpio", "-idmu"], { cwd: out, input: raw });
    // busybox restores file mtimes but not directory or symlink mtimes, nor symlink owners.
    const o = { dirMtimes: false, symlinkMtimes: false, symlinkOwners: false };
    expect(listTree(out, o)).toEqual(listTree(src, o));
  });

  it("xz output round-trips through xz -dc | cpio and through us", async () => {
    const xz = path.join(work, "ours.cpio.xz");
    const r = await packTree({ tree: src, archive: xz });
    expect(r.members).toBe(1);
    const out = path.join(work, "xz-gnu");
    mkdirSync(out);
    sh("cpio", ["-idum", "--quiet"], { cwd: out, input: sh("xz", ["-dc", xz]) });
    const o = { dirMtimes: false, symlinkMtimes: false };
    expect(listTree(out, o)).toEqual(listTree(src, o));
    const dest = path.join(work, "xz-ours");
    await unpackArchive({ archive: xz, dest });
    expect(listTree(dest)).toEqual(listTree(src));
  });

  it("reads rootimg.tar.gz and rootimg.tar.xz made by GNU tar, and legacy rootimg.gz", async () => {
    for (const [name, flag] of [
      ["rootimg.tar.gz", "-z"],
      ["rootimg.tar.xz", "-J"],
    ] as const) {
      const arch = path.join(work, name);
      sh("tar", ["--numeric-owner", flag, "-cf", arch, "-C", src, "."]);
      const dest = path.join(work, `from-${name}`);
      await unpackArchive({ archive: arch, dest });
      expect(listTree(dest)).toEqual(listTree(src));
    }
    // packimage -m tar keeps xattrs: file capabilities must survive our unpack (set after chown, which clears them).
    const capTree = path.join(work, "cap-src");
    mkdirSync(capTree);
    (await import("node:fs")).writeFileSync(path.join(capTree, "ping"), "elf");
    (await import("node:fs")).chownSync(path.join(capTree, "ping"), 0, 5);
    sh("setcap", ["cap_net_raw=ep", path.join(capTree, "ping")]);
    const capTar = path.join(work, "cap.tar.gz");
    sh("tar", ["--xattrs", "--xattrs-include=*", "-czf", capTar, "-C", capTree, "."]);
    const capDest = path.join(work, "cap-dest");
    await unpackArchive({ archive: capTar, dest: capDest });
    expect(sh("getcap", [path.join(capDest, "ping")]).toString()).toContain("cap_net_raw=ep");
    const legacy = path.join(work, "rootimg.gz");
    (await import("node:fs")).copyFileSync(ours, legacy);
    const dest = path.join(work, "from-legacy");
    await unpackArchive({ archive: legacy, dest });
    expect(existsSync(path.join(dest, "etc/motd"))).toBe(true);
  });
});
