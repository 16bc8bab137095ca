import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { readImageFile } from "./read-image-file";
import { saveImageFile } from "./save-image-file";
import { makeTestImage } from "./test-image";
import { stopXattrWorker } from "./xattr-worker";

let img: ReturnType<typeof makeTestImage>;
beforeEach(() => {
  img = makeTestImage();
});
afterEach(() => img.cleanup());

const host = (p: string) => path.join(img.root, p);

describe("readImageFile / saveImageFile", () => {
  it("saves by rename, keeping mode, owner and group, and returns a new etag", async () => {
    fs.writeFileSync(host("etc/munge.key"), "old\n");
    fs.chownSync(host("etc/munge.key"), 4242, 4343);
    fs.chmodSync(host("etc/munge.key"), 0o4750);
    const before = fs.statSync(host("etc/munge.key"));
    const f = readImageFile(img.root, "/etc/munge.key");
    expect(f.content).toBe("old\n");
    expect(f.entry.user).toBe("munge");
    const res = await saveImageFile({ root: img.root, path: "/etc/munge.key", content: "new\n", encoding: "utf-8", etag: f.etag });
    const after = fs.statSync(host("etc/munge.key"));
    expect(fs.readFileSync(host("etc/munge.key"), "utf8")).toBe("new\n");
    expect(after.mode).toBe(before.mode);
    expect([after.uid, after.gid]).toEqual([4242, 4343]);
    expect(after.ino).not.toBe(before.ino); // replaced atomically by rename
    expect(res.inPlace).toBe(false);
    expect(res.etag).not.toBe(f.etag);
    expect(fs.readdirSync(host("etc")).filter((n) => n.includes(".rootimg-"))).toEqual([]);
  });

  it("keeps a hard-linked file linked (writes in place)", async () => {
    fs.linkSync(host("etc/motd"), host("etc/motd.link"));
    const ino = fs.statSync(host("etc/motd")).ino;
    const f = readImageFile(img.root, "/etc/motd");
    const res = await saveImageFile({ root: img.root, path: "/etc/motd", content: "changed\n", encoding: "utf-8", etag: f.etag });
    expect(res.inPlace).toBe(true);
    expect(fs.statSync(host("etc/motd")).ino).toBe(ino);
    expect(fs.statSync(host("etc/motd")).nlink).toBe(2);
    expect(fs.readFileSync(host("etc/motd.link"), "utf8")).toBe("changed\n");
  });

  it("refuses a stale etag with a conflict (another writer changed the file)", async () => {
    const f = readImageFile(img.root, "/etc/motd");
    fs.writeFileSync(host("etc/motd"), "written by a chroot command\n");
    const err = await saveImageFile({ root: img.root, path: "/etc/motd", content: "mine\n", encoding: "utf-8", etag: f.etag }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(409);
    expect(fs.readFileSync(host("etc/motd"), "utf8")).toBe("written by a chroot command\n");
  });

  it("changes only the edited bytes of a latin-1 CRLF file without final newline", async () => {
    const original = Buffer.from("Caf\xe9 = 1\r\nna\xefve = 2\r\n\xa7 end", "latin1");
    fs.writeFileSync(host("etc/legacy.conf"), original);
    const f = readImageFile(img.root, "/etc/legacy.conf");
    expect(f.encoding).toBe("latin-1");
    expect(f.lineEnding).toBe("crlf");
    expect(f.finalNewline).toBe(false);
    const edited = (f.content as string).replace("= 1", "= 7");
    await saveImageFile({ root: img.root, path: "/etc/legacy.conf", content: edited, encoding: "latin-1", etag: f.etag });
    const now = fs.readFileSync(host("etc/legacy.conf"));
    expect(now.length).toBe(original.length);
    const diff = [...now].map((b, i) => (b === original[i] ? -1 : i)).filter((i) => i >= 0);
    expect(diff).toEqual([original.indexOf("1")]);
  });

  it("opens binary files read-only with a hex preview and big files without content", () => {
    fs.writeFileSync(host("usr/bin-tool"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
    const b = readImageFile(img.root, "/usr/bin-tool");
    expect(b.encoding).toBe("binary");
    expect(b.content).toBeUndefined();
    expect(b.hex).toContain("7f 45 4c 46");
    fs.writeFileSync(host("usr/big.log"), Buffer.alloc(5 * 1024 * 1024 + 1, 0x61));
    const big = readImageFile(img.root, "/usr/big.log");
    expect(big.tooLarge).toBe(true);
    expect(big.content).toBeUndefined();
    expect(big.entry.size).toBe(5 * 1024 * 1024 + 1);
  });

  it("saves through an in-image symlink into the image's target, never the host's", async () => {
    fs.writeFileSync(path.join(img.outside, "zone"), "host zone\n");
    const f = readImageFile(img.root, "/etc/localtime");
    expect(f.entry.path).toBe("/usr/share/zoneinfo/UTC");
    await saveImageFile({ root: img.root, path: "/etc/localtime", content: "edited\n", encoding: "utf-8", etag: f.etag });
    expect(fs.readFileSync(host("usr/share/zoneinfo/UTC"), "utf8")).toBe("edited\n");
    expect(fs.lstatSync(host("etc/localtime")).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(img.outside, "zone"), "utf8")).toBe("host zone\n");
  });

  it("keeps the line endings of unchanged lines in a file with mixed endings", async () => {
    fs.writeFileSync(host("etc/mixed.conf"), "a=1\r\nb=2\nc=3\r\n");
    const f = readImageFile(img.root, "/etc/mixed.conf");
    expect(f.lineEnding).toBe("mixed");
    // the editor sends the text back with one kind of ending (here LF) and line 2 edited
    await saveImageFile({ root: img.root, path: "/etc/mixed.conf", content: "a=1\nb=9\nc=3\n", encoding: "utf-8", etag: f.etag });
    expect(fs.readFileSync(host("etc/mixed.conf"), "utf8")).toBe("a=1\r\nb=9\nc=3\r\n");
  });
});

/**
 * A `getfattr` first in PATH that announces itself and waits for the test to let it go, then runs the real
 * one: the test can act exactly while a save waits for the attr tools (the event loop is free meanwhile).
 * The xattr helper is restarted so that it runs this one.
 */
function holdGetfattr(): { started: () => Promise<void>; release: () => void; restore: () => void } {
  const dir = fs.mkdtempSync(path.join(img.base, "bin-"));
  const marker = path.join(dir, "started");
  const go = path.join(dir, "go");
  fs.writeFileSync(
    path.join(dir, "getfattr"),
    `#!/bin/sh\n: > '${marker}'\nwhile [ ! -e '${go}' ]; do sleep 0.01; done\nexec /usr/bin/getfattr "$@"\n`,
    { mode: 0o755 },
  );
  const oldPath = process.env.PATH;
  process.env.PATH = `${dir}:${oldPath}`;
  stopXattrWorker(); // the next request starts a helper that sees this PATH
  return {
    started: async () => {
      while (!fs.existsSync(marker)) await new Promise((r) => setTimeout(r, 5));
    },
    release: () => fs.writeFileSync(go, ""),
    restore: () => {
      process.env.PATH = oldPath;
      stopXattrWorker();
    },
  };
}

describe("saveImageFile is asynchronous and still safe", () => {
  it("serves the event loop while the attr tools run, and refuses (409) when the file was chmod-ed meanwhile", async () => {
    const hold = holdGetfattr();
    try {
      const f = readImageFile(img.root, "/etc/motd");
      const saving = saveImageFile({ root: img.root, path: "/etc/motd", content: "mine\n", encoding: "utf-8", etag: f.etag }).catch(
        (e: unknown) => e,
      );
      await hold.started(); // this loop only runs because the save does not block the event loop
      fs.chmodSync(host("etc/motd"), 0o600); // what another request's chmod would do
      hold.release();
      const err = await saving;
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(409);
      expect(fs.readFileSync(host("etc/motd"), "utf8")).toBe("Welcome to the compute node\n");
      expect(fs.statSync(host("etc/motd")).mode & 0o7777).toBe(0o600);
      expect(fs.readdirSync(host("etc")).filter((n) => n.includes(".rootimg-"))).toEqual([]);
    } finally {
      hold.restore();
    }
  });

  it("refuses an in-place save (hard-linked file) whose file was rewritten while it waited", async () => {
    fs.linkSync(host("etc/motd"), host("etc/motd.link"));
    const hold = holdGetfattr();
    try {
      const f = readImageFile(img.root, "/etc/motd");
      const saving = saveImageFile({ root: img.root, path: "/etc/motd", content: "mine\n", encoding: "utf-8", etag: f.etag }).catch(
        (e: unknown) => e,
      );
      await hold.started();
      fs.writeFileSync(host("etc/motd.link"), "written through the other name\n");
      hold.release();
      expect(((await saving) as AppError).status).toBe(409);
      expect(fs.readFileSync(host("etc/motd"), "utf8")).toBe("written through the other name\n");
    } finally {
      hold.restore();
    }
  });

  it("two saves from the same version: one wins, the other gets 409 (they never interleave)", async () => {
    const f = readImageFile(img.root, "/etc/motd");
    const results = await Promise.allSettled(
      ["first\n", "second\n"].map((content) =>
        saveImageFile({ root: img.root, path: "/etc/motd", content, encoding: "utf-8", etag: f.etag }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected"]);
    expect(((results[1] as PromiseRejectedResult).reason as AppError).status).toBe(409);
    expect(fs.readFileSync(host("etc/motd"), "utf8")).toBe("first\n");
  });

  it("two saves through two names of one hard-linked file are serialized too", async () => {
    fs.linkSync(host("etc/motd"), host("etc/motd.link"));
    const a = readImageFile(img.root, "/etc/motd");
    const b = readImageFile(img.root, "/etc/motd.link");
    const results = await Promise.allSettled([
      saveImageFile({ root: img.root, path: "/etc/motd", content: "via motd\n", encoding: "utf-8", etag: a.etag }),
      saveImageFile({ root: img.root, path: "/etc/motd.link", content: "via link\n", encoding: "utf-8", etag: b.etag }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected"]);
    expect(fs.readFileSync(host("etc/motd.link"), "utf8")).toBe("via motd\n");
    expect(fs.statSync(host("etc/motd")).ino).toBe(fs.statSync(host("etc/motd.link")).ino);
  });
});
