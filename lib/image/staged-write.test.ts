/**
 * Saves and uploads of a file with two names, stopped at every step of the in-place write (the hook throws
 * there, leaving the disk as a crash would; one child process is really killed with SIGKILL), then the
 * start-up recovery: every name holds the old or the new content, never a mix, the capability the kernel drops
 * on write is back, and nothing is left in the tree or in the writes directory.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { etagOf } from "./read-image-file";
import { resolveInRoot } from "./resolve-in-root";
import { saveImageFile } from "./save-image-file";
import { type InPlaceStep, recoverWrites, stageTemp, writesDirFor } from "./staged-write";
import { makeTestImage } from "./test-image";
import { uploadFile } from "./upload-file";
import { writeInPlace } from "./write-in-place";

class Crash extends Error {}
let img: ReturnType<typeof makeTestImage>;
beforeEach(() => {
  img = makeTestImage();
});
afterEach(() => img.cleanup());

const host = (p: string) => path.join(img.root, p);
// the new content is shorter than the old one, so a write cut before the truncate leaves a visibly torn file
const OLD = Buffer.from("old line of the big configuration file\n".repeat(30_000));
const NEW = Buffer.from("new line\n".repeat(40_000));

function linkedFile(): void {
  fs.writeFileSync(host("etc/big.conf"), OLD);
  fs.linkSync(host("etc/big.conf"), host("etc/big.conf.link"));
  spawnSync("setcap", ["cap_net_raw+ep", host("etc/big.conf")]);
}
const capOf = (f: string) => spawnSync("getcap", [f], { encoding: "utf8" }).stdout;
const treeNames = () => fs.readdirSync(host("etc")).sort();
const writesLeft = () =>
  fs.existsSync(writesDirFor(fs.realpathSync(img.root))) ? fs.readdirSync(writesDirFor(fs.realpathSync(img.root))) : [];

/** Runs the in-place write of NEW over etc/big.conf the way a save does, crashing before `at`. */
async function crashInPlace(at: InPlaceStep): Promise<void> {
  const r = resolveInRoot(img.root, "/etc/big.conf", { followFinal: false });
  try {
    const temp = stageTemp(r, { bytes: NEW, uid: 0, gid: 0, mode: 0o600, renameOnto: false });
    const st = fs.statSync(host("etc/big.conf"));
    await expect(
      writeInPlace({
        r,
        st,
        temp,
        size: NEW.length,
        bytes: NEW,
        beforeStep: (s) => {
          if (s === at) throw new Crash(`killed before ${s}`);
        },
      }),
    ).rejects.toThrow(`killed before ${at}`);
    fs.closeSync(temp.fd); // a killed process closes nothing else: the temp file and the journal stay as they are
  } finally {
    r.close();
  }
}

const EXPECT: [InPlaceStep, "old" | "new", "back" | "forward" | null][] = [
  ["journal", "old", null],
  ["copy", "old", "back"],
  ["truncate", "new", "forward"],
  ["xattrs", "new", "forward"],
  ["fsync", "new", "forward"],
  ["forget", "new", "forward"],
];

describe("an in-place write stopped at each step, then recovered at start-up", () => {
  for (const [at, content, outcome] of EXPECT)
    it(`before ${at}: both names hold the ${content} content`, async () => {
      linkedFile();
      await crashInPlace(at);
      if (at === "truncate")
        expect(fs.readFileSync(host("etc/big.conf")).equals(OLD) || fs.readFileSync(host("etc/big.conf")).equals(NEW)).toBe(false); // torn until recovered
      const r = await recoverWrites(img.root);
      expect(r.writes.map((w) => w.outcome)).toEqual(outcome ? [outcome] : []);
      const want = content === "old" ? OLD : NEW;
      expect(fs.readFileSync(host("etc/big.conf")).equals(want)).toBe(true);
      expect(fs.readFileSync(host("etc/big.conf.link")).equals(want)).toBe(true);
      expect(fs.statSync(host("etc/big.conf")).nlink).toBe(2);
      expect(capOf(host("etc/big.conf"))).toContain("cap_net_raw=ep");
      expect(treeNames()).toEqual(["big.conf", "big.conf.link", "group", "localtime", "motd", "passwd", "secret"]);
      expect(writesLeft()).toEqual([]);
    });

  it("a journal entry cut while being written is dropped and the file is untouched", async () => {
    linkedFile();
    const dir = writesDirFor(fs.realpathSync(img.root));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "0123456789ab.new"), NEW.subarray(0, 4096));
    fs.writeFileSync(path.join(dir, "0123456789ab.json"), '{"v":1,"path":"/etc/big.co');
    const r = await recoverWrites(img.root);
    expect(r.writes).toEqual([]);
    expect(fs.readFileSync(host("etc/big.conf.link")).equals(OLD)).toBe(true);
    expect(writesLeft()).toEqual([]);
  });

  it("a name replaced by another file meanwhile is not written; the write is finished on the inode's other name", async () => {
    linkedFile();
    await crashInPlace("truncate");
    fs.rmSync(host("etc/big.conf"));
    fs.writeFileSync(host("etc/big.conf"), "someone else's file\n");
    const r = await recoverWrites(img.root);
    expect(r.writes).toEqual([{ path: "/etc/big.conf.link", outcome: "forward", size: NEW.length }]);
    expect(fs.readFileSync(host("etc/big.conf"), "utf8")).toBe("someone else's file\n");
    expect(fs.readFileSync(host("etc/big.conf.link")).equals(NEW)).toBe(true);
    expect(writesLeft()).toEqual([]);
  });

  it("a file renamed during the write is found by its inode; one whose every name is gone is left alone", async () => {
    linkedFile();
    await crashInPlace("truncate");
    fs.mkdirSync(host("srv"));
    fs.renameSync(host("etc/big.conf"), host("srv/big.conf"));
    fs.renameSync(host("etc/big.conf.link"), host("srv/big.conf.link"));
    const r = await recoverWrites(img.root);
    expect(r.writes.map((w) => w.outcome)).toEqual(["forward"]);
    expect(fs.readFileSync(host("srv/big.conf.link")).equals(NEW)).toBe(true);

    fs.renameSync(host("srv/big.conf"), host("etc/big.conf"));
    fs.renameSync(host("srv/big.conf.link"), host("etc/big.conf.link"));
    await crashInPlace("truncate");
    fs.rmSync(host("etc/big.conf"));
    fs.rmSync(host("etc/big.conf.link"));
    expect((await recoverWrites(img.root)).writes.map((w) => w.outcome)).toEqual(["gone"]);
    expect(writesLeft()).toEqual([]);
  });
});

describe("a writer killed with SIGKILL", () => {
  for (const at of ["copy", "truncate", "fsync"] as const)
    it(`during a save of a hard-linked file, before ${at}: old or new content on both names after recovery`, async () => {
      linkedFile();
      const script = `
        import fs from "node:fs";
        import { resolveInRoot } from "./lib/image/resolve-in-root";
        import { stageTemp } from "./lib/image/staged-write";
        import { writeInPlace } from "./lib/image/write-in-place";
        const [root, at] = process.argv.slice(-2);
        const NEW = Buffer.from("new line\\n".repeat(40_000));
        const r = resolveInRoot(root, "/etc/big.conf", { followFinal: false });
        const temp = stageTemp(r, { bytes: NEW, uid: 0, gid: 0, mode: 0o600, renameOnto: false });
        await writeInPlace({ r, st: fs.statSync(r.at), temp, size: NEW.length, bytes: NEW, beforeStep: (s) => {
          if (s !== at) return;
          process.stdout.write("at " + s + "\\n");
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
        } });`;
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, "--", img.root, at], {
        cwd: process.cwd(),
        stdio: ["ignore", "pipe", "inherit"],
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (b: Buffer) => b.toString().includes(`at ${at}`) && resolve());
        child.on("exit", (c) => reject(new Error(`the writer exited (${c}) before ${at}`)));
      });
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
      // killed between the overwrite and the cut: the file is torn on disk until start-up finishes the write
      if (at === "truncate")
        expect(
          fs.readFileSync(host("etc/big.conf")).subarray(0, NEW.length).equals(NEW) &&
            fs.statSync(host("etc/big.conf")).size === OLD.length,
        ).toBe(true);
      const rec = await recoverWrites(img.root);
      expect(rec.writes.map((w) => w.outcome)).toEqual([at === "copy" ? "back" : "forward"]);
      const a = fs.readFileSync(host("etc/big.conf"));
      expect(a.equals(OLD) || a.equals(NEW)).toBe(true);
      expect(fs.readFileSync(host("etc/big.conf.link")).equals(a)).toBe(true);
      expect(capOf(host("etc/big.conf"))).toContain("cap_net_raw=ep");
      expect(writesLeft()).toEqual([]);
    });
});

describe("a save of a file with one name, its writer killed with SIGKILL", () => {
  // the moments are seen from outside, by inotify: the staged temp file created, the rename onto the target
  // (killed once the temp file exists, the writer may still reach its rename before the signal lands: old or new)
  for (const [at, dir, name, want] of [
    ["after staging its temp file", "writes", /\.new$/, "old or new"],
    ["at the rename onto the file", "etc", /^motd$/, "new"],
  ] as const)
    it(`${at}: the ${want} content, and nothing left in the tree or beside it`, async () => {
      const OLD_MOTD = "old motd\n".repeat(20_000);
      const NEW_MOTD = "new motd\n".repeat(20_000);
      fs.writeFileSync(host("etc/motd"), OLD_MOTD);
      const watchDir = dir === "writes" ? writesDirFor(fs.realpathSync(img.root)) : host("etc");
      fs.mkdirSync(watchDir, { recursive: true });
      const script = `
        import { saveImageFile } from "./lib/image/save-image-file";
        import { etagOf } from "./lib/image/read-image-file";
        import fs from "node:fs";
        const root = process.argv.at(-1);
        process.stdout.write("ready\\n");
        await new Promise((r) => process.stdin.once("data", r));
        for (;;) await saveImageFile({ root, path: "/etc/motd", content: "new motd\\n".repeat(20_000), encoding: "utf-8", etag: etagOf(fs.readFileSync(root + "/etc/motd")) });`;
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, "--", img.root], {
        cwd: process.cwd(),
        stdio: ["pipe", "pipe", "inherit"],
      });
      await new Promise<void>((resolve) => child.stdout.on("data", (b: Buffer) => b.toString().includes("ready") && resolve()));
      const exited = new Promise((r) => child.once("exit", r));
      const w = fs.watch(watchDir, (_e, n) => n && name.test(n) && child.kill("SIGKILL"));
      child.stdin.write("go\n");
      await exited;
      w.close();
      await recoverWrites(img.root);
      const content = fs.readFileSync(host("etc/motd"), "utf8");
      expect(want === "new" ? [NEW_MOTD] : [OLD_MOTD, NEW_MOTD]).toContain(content);
      expect(treeNames().filter((n) => n.startsWith("."))).toEqual([]);
      expect(writesLeft()).toEqual([]);
    });
});

describe("saves and uploads leave nothing inside the tree", () => {
  it("a save of a hard-linked file keeps both names on one inode and cleans its journal", async () => {
    linkedFile();
    const ino = fs.statSync(host("etc/big.conf")).ino;
    const res = await saveImageFile({
      root: img.root,
      path: "/etc/big.conf",
      content: NEW.toString(),
      encoding: "utf-8",
      etag: etagOf(OLD),
    });
    expect(res.inPlace).toBe(true);
    expect(fs.statSync(host("etc/big.conf.link")).ino).toBe(ino);
    expect(fs.readFileSync(host("etc/big.conf.link")).equals(NEW)).toBe(true);
    expect(capOf(host("etc/big.conf"))).toContain("cap_net_raw=ep");
    expect(treeNames()).toContain("big.conf.link");
    expect(writesLeft()).toEqual([]);
  });

  it("an upload over a hard-linked file, and an aborted one, leave no temp file anywhere", async () => {
    linkedFile();
    await uploadFile({ root: img.root, dir: "/etc", name: "big.conf", body: Readable.from([NEW]), onConflict: "replace" });
    expect(fs.readFileSync(host("etc/big.conf.link")).equals(NEW)).toBe(true);
    const failing = Readable.from(
      (async function* () {
        yield OLD.subarray(0, 65536);
        throw new Error("client went away");
      })(),
    );
    await expect(uploadFile({ root: img.root, dir: "/etc", name: "big.conf", body: failing, onConflict: "replace" })).rejects.toThrow();
    expect(fs.readFileSync(host("etc/big.conf.link")).equals(NEW)).toBe(true);
    expect(treeNames()).toEqual(["big.conf", "big.conf.link", "group", "localtime", "motd", "passwd", "secret"]);
    expect(writesLeft()).toEqual([]);
  });

  it("a tree bind-mounted onto itself (one file system, two mounts: rename fails with EXDEV): saves, uploads and creates still work, and leave nothing behind", async () => {
    const mount = spawnSync("mount", ["--bind", img.root, img.root], { encoding: "utf8" });
    expect(mount.status, mount.stderr).toBe(0);
    try {
      const f = fs.readFileSync(host("etc/motd"));
      await saveImageFile({ root: img.root, path: "/etc/motd", content: "saved on a bind mount\n", encoding: "utf-8", etag: etagOf(f) });
      expect(fs.readFileSync(host("etc/motd"), "utf8")).toBe("saved on a bind mount\n");
      await uploadFile({
        root: img.root,
        dir: "/etc",
        name: "uploaded.conf",
        body: Readable.from([Buffer.from("up\n")]),
        onConflict: "fail",
      });
      await uploadFile({
        root: img.root,
        dir: "/etc",
        name: "motd",
        body: Readable.from([Buffer.from("replaced\n")]),
        onConflict: "replace",
      });
      expect(fs.readFileSync(host("etc/uploaded.conf"), "utf8")).toBe("up\n");
      expect(fs.readFileSync(host("etc/motd"), "utf8")).toBe("replaced\n");
      expect(treeNames().filter((n) => n.startsWith("."))).toEqual([]);
      expect(writesLeft()).toEqual([]);
    } finally {
      spawnSync("umount", [img.root]);
    }
  });

  it("a tree on another file system than its state directory: the temp file beside the target is recorded and removed at start-up", async () => {
    // the writes directory on tmpfs makes it a different file system from the tree (rename would fail with EXDEV)
    const elsewhere = fs.mkdtempSync("/dev/shm/rootimg-writes-");
    try {
      const writes = writesDirFor(fs.realpathSync(img.root));
      fs.mkdirSync(path.dirname(writes), { recursive: true });
      fs.symlinkSync(elsewhere, writes);
      if (fs.statSync(elsewhere).dev === fs.statSync(img.root).dev) return; // /dev/shm is the same file system here: nothing to test
      const r = resolveInRoot(img.root, "/etc/motd", { followFinal: false });
      const temp = stageTemp(r, { bytes: Buffer.from("partial"), uid: 0, gid: 0, mode: 0o644, renameOnto: true });
      fs.closeSync(temp.fd);
      r.close();
      const inTree = treeNames().filter((n) => n.startsWith(".rootimg-write-"));
      expect(inTree).toHaveLength(1);
      // a save there still works (rename within the tree's directory)
      const f = fs.readFileSync(host("etc/motd"));
      await saveImageFile({ root: img.root, path: "/etc/motd", content: "saved\n", encoding: "utf-8", etag: etagOf(f) });
      expect(fs.readFileSync(host("etc/motd"), "utf8")).toBe("saved\n");
      const rec = await recoverWrites(img.root);
      expect(rec.removed.some((p) => p.endsWith(inTree[0]))).toBe(true);
      expect(treeNames().filter((n) => n.startsWith("."))).toEqual([]);
      expect(fs.readdirSync(elsewhere)).toEqual([]);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
