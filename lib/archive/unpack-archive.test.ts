import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectFormat } from "./detect-format.ts";
import { ArchiveCancelledError } from "./errors.ts";
import { manifestPathFor, readManifest } from "./manifest.ts";
import { packTree } from "./pack-tree.ts";
import { rawCpio, tmp, writeGz } from "./test-fixtures.ts";
import type { ArchiveProgress } from "./types.ts";
import { unpackArchive } from "./unpack-archive.ts";

let work: string;
let archive: string;
beforeAll(async () => {
  work = tmp("arch-unp-");
  const src = path.join(work, "src");
  mkdirSync(path.join(src, "data"), { recursive: true });
  for (let i = 0; i < 30; i++) writeFileSync(path.join(src, "data", `f${i}`), randomBytes(300_000));
  archive = path.join(work, "rootimg.cpio.gz");
  await packTree({ tree: src, archive });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("unpackArchive", () => {
  it("detects the format by content, not by name", async () => {
    const renamed = path.join(work, "image.bin");
    writeFileSync(renamed, readFileSync(archive));
    expect(await detectFormat(renamed)).toEqual({ compression: "gzip", container: "cpio", label: "cpio.gz", variant: "newc" });
  });

  it("reports progress (compressed bytes of total, entries) and records the manifest beside the tree", async () => {
    const dest = path.join(work, "p");
    const seen: ArchiveProgress[] = [];
    const r = await unpackArchive({ archive, dest, onProgress: (p) => seen.push(p) });
    expect(r.entries).toBe(32);
    const last = seen.at(-1)!;
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(last.entries).toBe(32);
    expect(r.manifestPath).toBe(manifestPathFor(dest));
    expect(r.manifestPath.startsWith(`${dest}/`)).toBe(false);
    expect(existsSync(r.manifestPath)).toBe(true);
  });

  it("without the inflate worker (ROOTIMG_INFLATE=stream, as on a Node lacking zlib's engine) extracts the same tree, and names a truncation", async () => {
    const viaWorker = await unpackArchive({ archive, dest: path.join(work, "w1") });
    process.env.ROOTIMG_INFLATE = "stream";
    try {
      const viaStream = await unpackArchive({ archive, dest: path.join(work, "s1") });
      expect(viaStream.entries).toBe(viaWorker.entries);
      expect((await readManifest(path.join(work, "s1")))!.entries).toEqual((await readManifest(path.join(work, "w1")))!.entries);
      const cut = path.join(work, "cut.cpio.gz");
      writeFileSync(cut, readFileSync(archive).subarray(0, 2_000_000));
      await expect(unpackArchive({ archive: cut, dest: path.join(work, "s2") })).rejects.toThrow(
        /cut\.cpio\.gz is corrupt or truncated near compressed byte offset \d+/,
      );
      expect(existsSync(path.join(work, "s2"))).toBe(false);
    } finally {
      delete process.env.ROOTIMG_INFLATE;
    }
  });

  it("cancel leaves no destination and no temp dir", async () => {
    const dest = path.join(work, "cancelled");
    const ac = new AbortController();
    const before = readdirSync(work).sort();
    const err = await unpackArchive({ archive, dest, signal: ac.signal, onProgress: () => ac.abort() }).catch((e) => e);
    expect(err).toBeInstanceOf(ArchiveCancelledError);
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(work).sort()).toEqual(before);
  });

  it("an already aborted signal refuses at once", async () => {
    const dest = path.join(work, "pre-aborted");
    await expect(unpackArchive({ archive, dest, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(ArchiveCancelledError);
    expect(existsSync(dest)).toBe(false);
  });

  it("an archive without a '.' entry still gets a 0755 root and a manifest entry for it", async () => {
    const a = writeGz(path.join(work, "noroot.cpio.gz"), rawCpio([{ name: "f", type: "file", data: "x" }]));
    const dest = path.join(work, "noroot");
    await unpackArchive({ archive: a, dest });
    expect(lstatSync(dest).mode & 0o777).toBe(0o755);
    expect((await readManifest(dest))!.entries.map((e) => e.path)).toEqual([".", "f"]);
  });

  it("skips a socket with a warning and refuses entries below it", async () => {
    const a = writeGz(
      path.join(work, "sock.cpio.gz"),
      rawCpio([
        { name: "run", type: "dir" },
        { name: "run/s", type: "socket" },
      ]),
    );
    const r = await unpackArchive({ archive: a, dest: path.join(work, "sock") });
    expect(r.warnings).toEqual(['socket "run/s" skipped (sockets cannot be restored from an archive)']);
    expect(existsSync(path.join(work, "sock/run/s"))).toBe(false);
    const b = writeGz(
      path.join(work, "sock2.cpio.gz"),
      rawCpio([
        { name: "s", type: "socket" },
        { name: "s/x", type: "file", data: "x" },
      ]),
    );
    await expect(unpackArchive({ archive: b, dest: path.join(work, "sock2") })).rejects.toThrow(
      /"s\/x" passes through "s", which is a socket/,
    );
  });

  it("refuses an existing destination with conflict", async () => {
    const dest = path.join(work, "exists");
    mkdirSync(dest);
    const err = await unpackArchive({ archive, dest }).catch((e) => e);
    expect(err.code).toBe("conflict");
  });

  it("a later entry of the same name replaces the earlier one (cpio -u), missing parents are created", async () => {
    const a = writeGz(
      path.join(work, "dup.cpio.gz"),
      rawCpio([
        { name: "etc/x", type: "file", data: "first" },
        { name: "etc/x", type: "symlink", data: "target" },
        { name: "etc/y", type: "file", data: "one" },
        { name: "etc/y", type: "file", data: "two" },
        { name: "etc/d", type: "dir", mode: 0o700 },
        { name: "etc/d", type: "dir", mode: 0o751 },
        { name: ".", type: "dir", mode: 0o700 },
        { name: ".", type: "dir", mode: 0o755 },
      ]),
    );
    const dest = path.join(work, "dup");
    await unpackArchive({ archive: a, dest });
    expect(lstatSync(path.join(dest, "etc/x")).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(dest, "etc/y"), "utf8")).toBe("two");
    expect(lstatSync(path.join(dest, "etc")).mode & 0o777).toBe(0o755);
    expect(lstatSync(path.join(dest, "etc/d")).mode & 0o777).toBe(0o751);
    expect(lstatSync(dest).mode & 0o777).toBe(0o755);
    const m = (await readManifest(dest))!;
    expect(m.entries.filter((e) => e.path === "etc/d" || e.path === ".").map((e) => e.mode)).toEqual([0o751, 0o755]);
  });

  it("gives every entry its recorded owner and mode under a setgid parent directory too", async () => {
    const raw = rawCpio([
      { name: ".", type: "dir", mode: 0o755 },
      { name: "etc", type: "dir", mode: 0o755 },
      { name: "etc/plain", type: "file", data: "root:root 0644\n", mode: 0o644 },
      { name: "etc/private", type: "file", data: "0600\n", mode: 0o600 },
      { name: "etc/group-w", type: "file", data: "0664 (umask 022 clears g+w)\n", mode: 0o664 },
      { name: "etc/suid", type: "file", data: "#!/bin/sh\n", mode: 0o4755 },
      { name: "etc/link", type: "symlink", data: "plain" },
    ]);
    const arch = writeGz(path.join(work, "owners.cpio.gz"), raw);
    const parent = path.join(work, "sgid-parent");
    mkdirSync(parent);
    chownSync(parent, 0, 4321);
    chmodSync(parent, 0o2775);
    const dest = path.join(parent, "t");
    await unpackArchive({ archive: arch, dest });
    const st = (rel: string) => lstatSync(path.join(dest, rel));
    for (const rel of [".", "etc", "etc/plain", "etc/private", "etc/group-w", "etc/suid", "etc/link"]) {
      expect({ rel, uid: st(rel).uid, gid: st(rel).gid }).toEqual({ rel, uid: 0, gid: 0 });
    }
    expect((st("etc/plain").mode & 0o7777).toString(8)).toBe("644");
    expect((st("etc/private").mode & 0o7777).toString(8)).toBe("600");
    expect((st("etc/group-w").mode & 0o7777).toString(8)).toBe("664");
    expect((st("etc/suid").mode & 0o7777).toString(8)).toBe("4755");
    expect((st(".").mode & 0o7777).toString(8)).toBe("755");
  });
});
