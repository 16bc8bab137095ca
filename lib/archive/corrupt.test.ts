import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ArchiveError, CompressionError, CpioFormatError, UnsupportedFormatError } from "./errors.ts";
import { rawCpio, tmp } from "./test-fixtures.ts";
import { unpackArchive } from "./unpack-archive.ts";
import { verifyArchive } from "./verify-archive.ts";

// One named test per kind of corrupt input: a one-line error naming what and where, and nothing left behind.
let work: string;
beforeEach(() => {
  work = tmp("arch-bad-");
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const good = () =>
  rawCpio([
    { name: ".", type: "dir" },
    { name: "etc", type: "dir" },
    { name: "etc/motd", type: "file", data: "hello world\n".repeat(100) },
    { name: "etc/issue", type: "file", data: "Debian\n" },
  ]);

async function expectCorrupt(bytes: Buffer, type: new (...a: never[]) => Error, pattern: RegExp) {
  const archive = path.join(work, "rootimg.cpio.gz");
  writeFileSync(archive, bytes);
  const dest = path.join(work, "dest");
  const err = await unpackArchive({ archive, dest }).catch((e) => e);
  expect(err).toBeInstanceOf(type);
  expect(err).toBeInstanceOf(ArchiveError);
  expect(err.message).toMatch(pattern);
  expect(err.message).not.toContain("\n");
  expect(existsSync(dest)).toBe(false);
  expect(readdirSync(work)).toEqual(["rootimg.cpio.gz"]);
  await expect(verifyArchive({ archive })).rejects.toBeInstanceOf(type);
}

describe("corrupt input", () => {
  it("truncated gzip", async () => {
    const gz = gzipSync(good());
    await expectCorrupt(
      gz.subarray(0, gz.length - 30),
      CompressionError,
      /gzip data .* corrupt or truncated near compressed byte offset \d+/,
    );
  });

  it("junk after the gzip stream (the kernel rejects it too)", async () => {
    const gz = gzipSync(good());
    await expectCorrupt(
      Buffer.concat([gz, Buffer.from("junk!")]),
      CompressionError,
      new RegExp(`near compressed byte offset ${gz.length + 5}`),
    );
  });

  it("garbage (not an archive at all)", async () => {
    await expectCorrupt(
      Buffer.from("this is not an archive, just some text\n".repeat(20)),
      UnsupportedFormatError,
      /not a cpio \(newc\) or tar archive/,
    );
  });

  it("gzip wrapping garbage", async () => {
    await expectCorrupt(gzipSync(Buffer.from("garbage".repeat(100))), UnsupportedFormatError, /inside the gzip layer/);
  });

  it("bad cpio header in the middle of the stream (magic)", async () => {
    const raw = good();
    const second = raw.indexOf("070701", 10);
    raw.write("07x701", second, "latin1");
    await expectCorrupt(gzipSync(raw), CpioFormatError, new RegExp(`bad magic .* at byte offset ${second}`));
  });

  it("bad cpio header (non-hex field)", async () => {
    const raw = good();
    const second = raw.indexOf("070701", 10);
    raw.write("ZZ", second + 6 + 6 * 8, "latin1");
    await expectCorrupt(gzipSync(raw), CpioFormatError, new RegExp(`byte offset ${second}: field 6 is not hexadecimal`));
  });

  it("declared size beyond the data", async () => {
    const raw = good();
    const cut = raw.indexOf("hello world") + 200;
    await expectCorrupt(
      gzipSync(raw.subarray(0, cut)),
      CpioFormatError,
      /entry "etc\/motd" at byte offset \d+ declares 1200 bytes but the stream ends at byte offset \d+/,
    );
  });

  it("empty file", async () => {
    await expectCorrupt(Buffer.alloc(0), ArchiveError, /empty \(0 bytes\)/);
  });

  it("gzip of an empty stream", async () => {
    await expectCorrupt(gzipSync(Buffer.alloc(0)), ArchiveError, /empty/);
  });

  it("missing trailer", async () => {
    const raw = rawCpio([{ name: "a", type: "file", data: "abc" }], { trailer: false });
    await expectCorrupt(gzipSync(raw), CpioFormatError, /missing TRAILER!!! at byte offset \d+/);
  });

  it("squashfs is recognised and refused as not supported yet", async () => {
    const sq = Buffer.alloc(4096);
    sq.write("hsqs", 0, "latin1");
    await expectCorrupt(sq, UnsupportedFormatError, /squashfs .* not supported yet/);
  });

  it("old odc cpio is refused with a clear message", async () => {
    await expectCorrupt(gzipSync(Buffer.from("070707".padEnd(600, "0"))), UnsupportedFormatError, /odc/);
  });

  it("a missing archive is not_found", async () => {
    const err = await unpackArchive({ archive: path.join(work, "nope.cpio.gz"), dest: path.join(work, "d") }).catch((e) => e);
    expect(err.code).toBe("not_found");
  });

  it("crc (070702) archives are read and their checksums checked", async () => {
    const raw = good();
    const sum = [...Buffer.from("Debian\n")].reduce((a, b) => a + b, 0);
    let s = raw.toString("latin1").replaceAll("070701", "070702");
    const at = s.indexOf("etc/issue") - 110;
    s = s.slice(0, at + 102) + sum.toString(16).toUpperCase().padStart(8, "0") + s.slice(at + 110);
    const okArchive = path.join(work, "crc.cpio");
    writeFileSync(okArchive, Buffer.from(s, "latin1"));
    // etc/motd has checksum 0 in its header: the mismatch is reported with the entry name.
    const err = await verifyArchive({ archive: okArchive }).catch((e) => e);
    expect(err).toBeInstanceOf(CpioFormatError);
    expect(err.message).toContain('checksum mismatch in entry "etc/motd"');
    void readFileSync;
  });
});
