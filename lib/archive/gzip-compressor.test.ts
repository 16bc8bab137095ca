import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCompressor, pickCompressorKind } from "./gzip-compressor.ts";
import { packTree } from "./pack-tree.ts";
import { countGzipMembers, listTree, makeFixtureTree, sh, tmp } from "./test-fixtures.ts";

let work: string;
let tree: string;
beforeAll(() => {
  work = tmp("arch-gz-");
  tree = path.join(work, "rootimg");
  makeFixtureTree(tree);
  mkdirSync(path.join(tree, "usr/lib"), { recursive: true });
  for (let i = 0; i < 30; i++) writeFileSync(path.join(tree, `usr/lib/lib${i}.so`), randomBytes(20_000 + i * 100));
  // Over 32 MiB: a member fed to the compressor as a stream (like apt's 50 MB Packages list).
  const line = Buffer.from("Package: libfoo\nVersion: 1.2.3-4\nDescription: a line that repeats\n");
  writeFileSync(path.join(tree, "usr/lib/Packages"), Buffer.concat([Buffer.alloc(34 << 20, line), randomBytes(1000)]));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const M = 64 * 1024;
const o = { dirMtimes: false, symlinkMtimes: false };

function extractWithGzip(archive: string, name: string): string {
  const out = path.join(work, name);
  mkdirSync(out);
  const raw = sh("gzip", ["-cd"], { input: readFileSync(archive) });
  sh("cpio", ["-idum", "--quiet"], { cwd: out, input: raw });
  return out;
}

describe("gzip compressors", () => {
  it("libdeflate-gzip is installed here (Debian libdeflate-tools) and picked by default; ROOTIMG_GZIP=zlib forces zlib", () => {
    expect(pickCompressorKind()).toBe("libdeflate");
    process.env.ROOTIMG_GZIP = "zlib";
    try {
      expect(pickCompressorKind()).toBe("zlib");
    } finally {
      delete process.env.ROOTIMG_GZIP;
    }
  });

  it("the libdeflate pool compresses many members at once, each a valid gzip member of its own input", async () => {
    const c = makeCompressor("libdeflate", 3, 2);
    try {
      const inputs = Array.from({ length: 7 }, (_, i) => Buffer.concat([randomBytes(i * 5000), Buffer.alloc(100_000 + i, `m${i}`)]));
      const outs = await Promise.all(
        inputs.map((b, i) => (i % 2 ? c.compress(b) : c.compressChunks([b.subarray(0, 10), b.subarray(10)], b.length))),
      );
      outs.forEach((gz, i) => {
        expect(countGzipMembers(gz)).toBe(1);
        expect(gunzipSync(gz).equals(inputs[i])).toBe(true);
      });
      expect((await c.compress(Buffer.alloc(0))).length).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });

  for (const compressor of ["libdeflate", "zlib"] as const) {
    it(`${compressor}: gzip -cd | cpio -idum extracts the pack identically; incremental equals --full byte for byte; --full is deterministic`, async () => {
      const archive = path.join(work, `${compressor}.cpio.gz`);
      const first = await packTree({ tree, archive, memberSize: M, compressor, full: true });
      expect(first.members).toBeGreaterThan(5);
      const x = extractWithGzip(archive, `${compressor}-x1`);
      expect(listTree(x, o)).toEqual(listTree(tree, o));
      appendFileSync(path.join(tree, "usr/lib/lib7.so"), "edit");
      const inc = await packTree({ tree, archive, memberSize: M, compressor });
      expect(inc.membersReused).toBeGreaterThan(inc.members / 2);
      const full1 = path.join(work, `${compressor}-full1.cpio.gz`);
      const full2 = path.join(work, `${compressor}-full2.cpio.gz`);
      await packTree({ tree, archive: full1, memberSize: M, compressor, full: true });
      await packTree({ tree, archive: full2, memberSize: M, compressor, full: true });
      expect(readFileSync(full1).equals(readFileSync(full2))).toBe(true);
      expect(gunzipSync(readFileSync(archive)).equals(gunzipSync(readFileSync(full1)))).toBe(true);
      const y = extractWithGzip(archive, `${compressor}-x2`);
      expect(listTree(y, o)).toEqual(listTree(tree, o));
    });
  }

  it("a member cache written by one compressor is not reused by the other; both write the same newc stream", async () => {
    const archive = path.join(work, "mixed.cpio.gz");
    const z = await packTree({ tree, archive, memberSize: M, compressor: "zlib" });
    const zRaw = gunzipSync(readFileSync(archive));
    const l1 = await packTree({ tree, archive, memberSize: M, compressor: "libdeflate" });
    expect(l1.membersReused).toBe(0);
    expect(gunzipSync(readFileSync(archive)).equals(zRaw)).toBe(true);
    const l2 = await packTree({ tree, archive, memberSize: M, compressor: "libdeflate" });
    expect(l2.membersReused).toBe(l2.members - 1);
    process.env.ROOTIMG_GZIP = "zlib";
    try {
      const z2 = await packTree({ tree, archive, memberSize: M });
      expect(z2.membersReused).toBe(0);
      expect(z2.size).not.toBe(l2.size);
      expect(z2.members).toBe(z.members);
    } finally {
      delete process.env.ROOTIMG_GZIP;
    }
  });
});
