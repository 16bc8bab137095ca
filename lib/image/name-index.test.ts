import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { forgetNameIndex, KINDS, nameIndexFor, namesOf, openDirNoFollow, RACY_MS, readDirRecord, stillValid } from "./name-index";
import { searchNames } from "./search-names";
import { makeTestImage } from "./test-image";

let img: ReturnType<typeof makeTestImage>;
let real: string;
beforeEach(() => {
  img = makeTestImage();
  real = fs.realpathSync(img.root);
});
afterEach(() => {
  forgetNameIndex(real);
  img.cleanup();
});
const host = (p: string) => path.join(img.root, p);
// Directories made by the test are seconds old at most: a clock moved past the racy window lets the index trust them.
const later = () => Date.now() + 10 * RACY_MS;
const search = (query: string, extra: { clock?: () => number; under?: string } = { clock: later }) =>
  searchNames({ root: img.root, query, ...extra });

describe("name index", () => {
  it("reads each directory once, then proves it unchanged by one lstat", async () => {
    const first = await search("utc");
    expect(first.hits).toEqual([{ path: "/usr/share/zoneinfo/UTC", type: "file" }]);
    const dirs = fs.readdirSync(img.root, { recursive: true, withFileTypes: true }).filter((e) => e.isDirectory()).length + 1;
    expect(first.dirsRead).toBe(dirs);
    const again = await search("utc");
    expect(again).toMatchObject({ hits: first.hits, dirsRead: 0, visited: first.visited });
  });

  it("finds a file added by hand outside the product, and forgets one removed, reading only that directory", async () => {
    await search("motd");
    fs.writeFileSync(host("etc/motd.by-hand"), "x");
    const added = await search("motd");
    expect(added.hits.map((h) => h.path)).toEqual(["/etc/motd", "/etc/motd.by-hand"]);
    expect(added.dirsRead).toBe(1);
    fs.unlinkSync(host("etc/motd"));
    expect((await search("motd")).hits.map((h) => h.path)).toEqual(["/etc/motd.by-hand"]);
  });

  it("sees an added file even when the directory's mtime is set back (rsync, tar, touch -d): ctime moved", async () => {
    fs.utimesSync(host("etc"), 1_700_000_000, 1_700_000_000);
    await search("zzz");
    fs.writeFileSync(host("etc/zzz.conf"), "x");
    fs.utimesSync(host("etc"), 1_700_000_000, 1_700_000_000);
    expect(fs.statSync(host("etc")).mtimeMs).toBe(1_700_000_000_000);
    expect((await search("zzz")).hits).toEqual([{ path: "/etc/zzz.conf", type: "file" }]);
  });

  it("reads a directory again while its last change is too recent to prove anything (changes within one clock tick)", async () => {
    await search("new", { clock: Date.now });
    fs.writeFileSync(host("etc/new-1"), "x");
    const r = await search("new", { clock: Date.now });
    expect(r.dirsRead).toBeGreaterThan(0);
    expect(r.hits.map((h) => h.path)).toEqual(["/etc/new-1"]);
  });

  it("follows no symlink: a directory swapped for a link out of the image is not searched", async () => {
    await search("secret");
    fs.rmSync(host("usr/share"), { recursive: true });
    fs.symlinkSync(img.outside, host("usr/share"));
    const r = await search("secret");
    expect(r.hits).toEqual([{ path: "/etc/secret", type: "file" }]);
    expect((await search("share")).hits).toEqual([{ path: "/usr/share", type: "symlink" }]);
  });

  it("searches below a directory, and types come from the directory read", async () => {
    const r = await search("*", { clock: later, under: "/usr" });
    expect(r.hits).toEqual([
      { path: "/usr/share", type: "dir" },
      { path: "/usr/share/zoneinfo", type: "dir" },
      { path: "/usr/share/zoneinfo/UTC", type: "file" },
    ]);
    expect((await search("localtime")).hits).toEqual([{ path: "/etc/localtime", type: "symlink" }]);
  });

  it("drops the records of directories that are gone after a whole-image search", async () => {
    await search("x");
    const idx = nameIndexFor(real);
    expect(idx.dirs.has("usr/share/zoneinfo")).toBe(true);
    fs.rmSync(host("usr/share"), { recursive: true });
    await search("x");
    expect(idx.dirs.has("usr/share/zoneinfo")).toBe(false);
    expect(idx.dirs.has("usr")).toBe(true);
  });
});

describe("readDirRecord / stillValid / openDirNoFollow", () => {
  it("records sorted names with their types and the directory's identity", () => {
    const rootFd = fs.openSync(real, "r");
    const fd = openDirNoFollow(rootFd, "etc")!;
    fs.closeSync(rootFd);
    try {
      const rec = readDirRecord(fd, later());
      expect(namesOf(rec)).toEqual(["group", "localtime", "motd", "passwd", "secret"]);
      expect([...rec.kinds].map((k) => KINDS[k])).toEqual(["file", "symlink", "file", "file", "file"]);
      expect(rec.racy).toBe(false);
      expect(stillValid(rec, fs.lstatSync(host("etc")))).toBe(true);
      fs.writeFileSync(host("etc/another"), "");
      expect(stillValid(rec, fs.lstatSync(host("etc")))).toBe(false);
      expect(readDirRecord(fd).racy).toBe(true);
    } finally {
      fs.closeSync(fd);
    }
  });

  it("refuses a path through a symlink", () => {
    fs.symlinkSync(img.outside, host("usr/out"));
    const rootFd = fs.openSync(real, "r");
    try {
      expect(openDirNoFollow(rootFd, "usr/out")).toBeUndefined();
      expect(openDirNoFollow(rootFd, "etc/motd")).toBeUndefined();
      expect(openDirNoFollow(rootFd, "nope/x")).toBeUndefined();
    } finally {
      fs.closeSync(rootFd);
    }
  });
});
