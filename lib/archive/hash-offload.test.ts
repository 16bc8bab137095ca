import { createHash, randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HashOffload } from "./hash-offload.ts";
import { readManifest } from "./manifest.ts";
import { rawCpio, sh, tmp, writeGz } from "./test-fixtures.ts";
import { unpackArchive } from "./unpack-archive.ts";

let work: string;
beforeAll(() => {
  work = tmp("arch-hash-");
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Every file's manifest sha256 and size equal those of the bytes on disk. */
async function expectManifestMatchesDisk(dest: string): Promise<number> {
  let files = 0;
  for (const m of (await readManifest(dest))!.entries) {
    if (m.type !== "file") continue;
    const b = readFileSync(path.join(dest, m.path));
    expect({ path: m.path, sha256: m.sha256, size: m.size }).toEqual({ path: m.path, sha256: sha(b), size: b.length });
    files++;
  }
  return files;
}

describe("SHA-256 of big files on a worker thread", () => {
  it("returns each file's digest, data split over many updates and interleaved flushes", async () => {
    const h = new HashOffload();
    const bufs = [randomBytes(9 << 20), Buffer.alloc(0), randomBytes(300_000)];
    const got: string[] = [];
    bufs.forEach((b, i) => {
      const id = h.begin()!;
      for (let off = 0; off < b.length; off += 100_000) h.update(id, b.subarray(off, off + 100_000));
      h.end(id, (hex) => (got[i] = hex));
    });
    await h.drain();
    expect(got).toEqual(bufs.map(sha));
  });

  it("newc hard-link groups (data on the last link) and tar hard links to big files get the right digest", async () => {
    const big = randomBytes(600_000);
    const small = Buffer.from("small\n");
    const raw = rawCpio([
      { name: "d", type: "dir" },
      { name: "d/a", type: "file", nlink: 3, ino: 7, size: 0 },
      { name: "d/b", type: "file", nlink: 3, ino: 7, size: 0 },
      { name: "d/c", type: "file", nlink: 3, ino: 7, data: big },
      { name: "d/big2", type: "file", data: randomBytes(1 << 20) },
      { name: "d/small", type: "file", data: small },
      { name: "d/empty", type: "file", data: "" },
    ]);
    const dest = path.join(work, "newc");
    await unpackArchive({ archive: writeGz(path.join(work, "h.cpio.gz"), raw), dest });
    expect(await expectManifestMatchesDisk(dest)).toBe(6);

    const src = path.join(work, "tar-src");
    mkdirSync(src);
    writeFileSync(path.join(src, "big"), big);
    linkSync(path.join(src, "big"), path.join(src, "big-link"));
    writeFileSync(path.join(src, "z"), small);
    const tar = path.join(work, "h.tar.gz");
    sh("tar", ["-czf", tar, "-C", src, "big", "big-link", "z"]);
    const tdest = path.join(work, "tar");
    await unpackArchive({ archive: tar, dest: tdest });
    expect(await expectManifestMatchesDisk(tdest)).toBe(3);
  });
});
