import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PathEscapeError } from "./errors.ts";
import { type RawEntry, rawCpio, sh, tmp, writeGz } from "./test-fixtures.ts";
import { unpackArchive } from "./unpack-archive.ts";
import { verifyArchive } from "./verify-archive.ts";

// One named test per escape trick. Each must be refused with an error naming the entry, leave no destination
// and no temp dir behind, and write nothing outside the destination.
let work: string;
let outside: string;
beforeEach(() => {
  work = tmp("arch-esc-");
  outside = tmp("arch-outside-");
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

async function expectRefused(entries: RawEntry[], entryName: string) {
  const archive = writeGz(path.join(work, "evil.cpio.gz"), rawCpio(entries));
  const dest = path.join(work, "dest");
  const err = await unpackArchive({ archive, dest }).catch((e) => e);
  expect(err).toBeInstanceOf(PathEscapeError);
  expect(err.code).toBe("unprocessable");
  expect(err.message).toContain(`"${entryName}"`);
  expect(existsSync(dest)).toBe(false);
  expect(readdirSync(work)).toEqual(["evil.cpio.gz"]);
  expect(readdirSync(outside)).toEqual([]);
  return err as PathEscapeError;
}

describe("escape refusal", () => {
  it("refuses an absolute entry name", async () => {
    await expectRefused(
      [
        { name: ".", type: "dir" },
        { name: `${outside}/pwned`, type: "file", data: "x" },
      ],
      `${outside}/pwned`,
    );
  });

  it("refuses a '..' component", async () => {
    const rel = path.relative(path.join(work, "dest"), path.join(outside, "pwned"));
    expect(rel.startsWith("..")).toBe(true);
    await expectRefused(
      [
        { name: "etc", type: "dir" },
        { name: rel, type: "file", data: "x" },
      ],
      rel,
    );
  });

  it("refuses a '..' hidden in the middle of a name", async () => {
    await expectRefused([{ name: "etc/../../x", type: "file", data: "x" }], "etc/../../x");
  });

  it("refuses an entry that passes through a symlink created earlier (relative target)", async () => {
    const rel = path.relative(path.join(work, "dest"), outside);
    const err = await expectRefused(
      [
        { name: "lnk", type: "symlink", data: rel },
        { name: "lnk/pwned", type: "file", data: "x" },
      ],
      "lnk/pwned",
    );
    expect(err.message).toContain("symlink");
  });

  it("refuses an entry that passes through a symlink to an absolute path", async () => {
    await expectRefused(
      [
        { name: "etc", type: "dir" },
        { name: "etc/abs", type: "symlink", data: outside },
        { name: "etc/abs/sub/pwned", type: "file", data: "x" },
      ],
      "etc/abs/sub/pwned",
    );
  });

  it("refuses a directory entry through a symlink (mkdir outside)", async () => {
    await expectRefused(
      [
        { name: "l", type: "symlink", data: outside },
        { name: "l/newdir", type: "dir" },
      ],
      "l/newdir",
    );
  });

  it("refuses an entry that passes through a regular file", async () => {
    await expectRefused(
      [
        { name: "f", type: "file", data: "x" },
        { name: "f/child", type: "file", data: "y" },
      ],
      "f/child",
    );
  });

  it("refuses a tar hard link whose target escapes", async () => {
    const src = path.join(work, "t");
    sh("mkdir", ["-p", src]);
    writeFileSync(path.join(outside, "secret"), "s");
    // GNU tar with -P keeps the leading ../ in the link name.
    writeFileSync(path.join(src, "a"), "a");
    const tarFile = path.join(work, "evil.tar");
    sh("tar", ["-cf", tarFile, "-C", src, "a"]);
    const buf = (await import("node:fs")).readFileSync(tarFile);
    const evil = forgeTarHardlink(buf, "b", `../${path.basename(outside)}/secret`);
    writeFileSync(tarFile, evil);
    const dest = path.join(work, "dest");
    const err = await unpackArchive({ archive: tarFile, dest }).catch((e) => e);
    expect(err).toBeInstanceOf(PathEscapeError);
    expect(err.message).toContain('"b"');
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(outside)).toEqual(["secret"]);
  });

  it("refuses a cpio hard link that would reuse a path replaced by a symlink", async () => {
    // Entry a (nlink 2, ino 7) is replaced by a symlink to outside; the later link b with data must not follow it.
    const entries: RawEntry[] = [
      { name: "a", type: "file", nlink: 2, ino: 7, data: "" },
      { name: "a", type: "symlink", data: path.join(outside, "target") },
      { name: "b", type: "file", nlink: 2, ino: 7, data: "payload" },
    ];
    const archive = writeGz(path.join(work, "evil.cpio.gz"), rawCpio(entries));
    const dest = path.join(work, "dest");
    await unpackArchive({ archive, dest });
    expect(readdirSync(outside)).toEqual([]);
    expect((await import("node:fs")).readFileSync(path.join(dest, "b"), "utf8")).toBe("payload");
  });

  it("verify applies the same name policy", async () => {
    const archive = writeGz(path.join(work, "evil.cpio.gz"), rawCpio([{ name: "/etc/passwd", type: "file", data: "x" }]));
    await expect(verifyArchive({ archive })).rejects.toBeInstanceOf(PathEscapeError);
  });
});

/** Appends a type-'1' (hard link) tar header named `name` pointing at `target`, before the end blocks. */
function forgeTarHardlink(tar: Buffer, name: string, target: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write("00000000000\0", 124);
  h.write("13000000000\0", 136);
  h.write("1", 156);
  h.write(target, 157);
  h.write("ustar\0", 257);
  h.write("00", 263);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  // Find the end of the first entry (header + 1 data block for a 1-byte file).
  return Buffer.concat([tar.subarray(0, 1024), h, Buffer.alloc(1024)]);
}
