import { createHash, randomBytes } from "node:crypto";
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareSpare, spareFileFor } from "./pack-spare.ts";
import { packTree } from "./pack-tree.ts";
import { listTree, makeFixtureTree, sh, tmp } from "./test-fixtures.ts";

let work: string;
let tree: string;
beforeAll(() => {
  work = tmp("arch-spare-");
  tree = path.join(work, "rootimg");
  makeFixtureTree(tree);
  mkdirSync(path.join(tree, "usr/lib"), { recursive: true });
  for (let i = 0; i < 40; i++) writeFileSync(path.join(tree, `usr/lib/lib${i}.so`), randomBytes(20_000 + i * 100));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const M = 64 * 1024;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Reads a whole file through an fd opened earlier (what a node downloading the archive holds). */
function readFd(fd: number): Buffer {
  const parts: Buffer[] = [];
  const buf = Buffer.allocUnsafe(1 << 16);
  for (let pos = 0; ; ) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    parts.push(Buffer.from(buf.subarray(0, n)));
    pos += n;
  }
  return Buffer.concat(parts);
}

describe("spare copy for incremental packs", () => {
  it("an incremental pack started from the spare writes the same stream as a full pack, and the old archive's bytes never change", async () => {
    const archive = path.join(work, "a", "rootimg.cpio.gz");
    mkdirSync(path.dirname(archive));
    const first = await packTree({ tree, archive, memberSize: M });
    expect(first.baseFromSpare).toBe(false);
    const spare = await prepareSpare(archive);
    expect(spare).not.toBeNull();
    expect(spare!.file).toBe(spareFileFor(archive));
    expect(readFileSync(spare!.file).equals(readFileSync(archive))).toBe(true);
    // Outside the rootimg.* glob packimage unlinks, and outside the versions folder.
    expect(path.relative(path.dirname(archive), spare!.file)).toBe(path.join(".rootimg-studio", ".spare", "rootimg.cpio.gz"));

    const oldBytes = readFileSync(archive);
    const oldIno = statSync(archive).ino;
    const reader = openSync(archive, "r"); // a node that started downloading before the publish
    try {
      appendFileSync(path.join(tree, "usr/lib/lib17.so"), "edit");
      const inc = await packTree({ tree, archive, memberSize: M });
      expect(inc.baseFromSpare).toBe(true);
      expect(inc.membersReused).toBe(inc.members - 2);
      expect(existsSync(spare!.file)).toBe(false); // taken: used once
      expect(statSync(archive).ino).not.toBe(oldIno);
      expect(sha(readFd(reader))).toBe(sha(oldBytes));
    } finally {
      closeSync(reader);
    }
    const full = path.join(work, "a-full.cpio.gz");
    await packTree({ tree, archive: full, memberSize: M, full: true });
    const incRaw = gunzipSync(readFileSync(archive));
    expect(incRaw.equals(gunzipSync(readFileSync(full)))).toBe(true);
    const out = path.join(work, "a-x");
    mkdirSync(out);
    sh("cpio", ["-idum", "--quiet"], { cwd: out, input: incRaw });
    const o = { dirMtimes: false, symlinkMtimes: false };
    expect(listTree(out, o)).toEqual(listTree(tree, o));
  });

  it("a spare of an archive that was replaced since, or that changed after it was made, is not used", async () => {
    const archive = path.join(work, "b", "rootimg.cpio.gz");
    mkdirSync(path.dirname(archive));
    await packTree({ tree, archive, memberSize: M });
    expect(await prepareSpare(archive)).not.toBeNull();
    await packTree({ tree, archive, memberSize: M, full: true }); // a new archive: the spare copies the old one
    appendFileSync(path.join(tree, "usr/lib/lib5.so"), "edit");
    const stale = await packTree({ tree, archive, memberSize: M });
    expect(stale.baseFromSpare).toBe(false);

    const spare = await prepareSpare(archive);
    appendFileSync(spare!.file, "garbage"); // not the copy that was recorded
    appendFileSync(path.join(tree, "usr/lib/lib6.so"), "edit");
    const touched = await packTree({ tree, archive, memberSize: M });
    expect(touched.baseFromSpare).toBe(false);
    const full = path.join(work, "b-full.cpio.gz");
    await packTree({ tree, archive: full, memberSize: M, full: true });
    expect(gunzipSync(readFileSync(archive)).equals(gunzipSync(readFileSync(full)))).toBe(true);
  });

  it("a pack cancelled after taking the spare leaves the published archive as it was and no temp file", async () => {
    const archive = path.join(work, "c", "rootimg.cpio.gz");
    mkdirSync(path.dirname(archive));
    await packTree({ tree, archive, memberSize: M });
    await prepareSpare(archive);
    const before = readFileSync(archive);
    appendFileSync(path.join(tree, "usr/lib/lib9.so"), "edit");
    const ac = new AbortController();
    const p = packTree({ tree, archive, memberSize: M, signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toThrow();
    expect(readFileSync(archive).equals(before)).toBe(true);
    expect(readdirSync(path.dirname(archive)).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});
