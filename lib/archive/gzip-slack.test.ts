import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArchiveCancelledError } from "./errors.ts";
import { padGzipMember, slackFor } from "./gzip-slack.ts";
import type { PackCache } from "./pack-cache.ts";
import { packTree } from "./pack-tree.ts";
import { stateDirFor, versionsDirFor } from "./state-dir.ts";
import { gzipMembers, sh, tmp } from "./test-fixtures.ts";

let work: string;
beforeAll(() => {
  work = tmp("arch-slack-");
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const M = 64 * 1024;
const cacheOf = (tree: string) => JSON.parse(readFileSync(path.join(stateDirFor(tree), "pack-cache.json"), "utf8")) as PackCache;

const names = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo"];

/** A tree of text files (about 2:1 compressible), enough for ~20 members of 64 KiB. */
function makeTree(name: string): string {
  const tree = path.join(work, name);
  mkdirSync(path.join(tree, "etc"), { recursive: true });
  for (let i = 0; i < 100; i++) {
    const text = Array.from({ length: 400 }, (_, j) => `option_${i}_${j} = ${randomBytes(6).toString("hex")}\n`).join("");
    // Names that differ early: cut points then fall on content (near-identical names hash alike, see plan-members).
    writeFileSync(path.join(tree, "etc", `${String(i).padStart(2, "0")}-${names[i % names.length]}.conf`), text);
  }
  return tree;
}

describe("gzip member slack", () => {
  it("an FNAME-padded member decompresses to the same bytes for node:zlib, gzip, pigz and busybox", () => {
    const raw = Buffer.from("slack test\n".repeat(1000));
    const gz = gzipSync(raw);
    for (const pad of [1, 2, slackFor(gz.length)]) {
      const padded = padGzipMember(gz, pad);
      expect(padded.length).toBe(gz.length + pad);
      const two = Buffer.concat([padded, padded]);
      const both = Buffer.concat([raw, raw]);
      expect(gunzipSync(two).equals(both)).toBe(true);
      expect(sh("gzip", ["-cd"], { input: two }).equals(both)).toBe(true);
      expect(sh("pigz", ["-cd"], { input: two }).equals(both)).toBe(true);
      expect(sh("busybox", ["gunzip", "-c"], { input: two }).equals(both)).toBe(true);
    }
  });

  it("a small edit is rebuilt in its old member's place: every other member keeps its offset and bytes", async () => {
    const tree = makeTree("inplace");
    const archive = path.join(work, "inplace.cpio.gz");
    await packTree({ tree, archive, memberSize: M });
    const before = cacheOf(tree).members;
    expect(before.length).toBeGreaterThan(5);
    const oldBytes = readFileSync(archive);
    appendFileSync(path.join(tree, "etc/30-india.conf"), "option_edit = 1\n");
    const inc = await packTree({ tree, archive, memberSize: M });
    expect(inc.membersReused).toBe(inc.members - 2);
    const after = cacheOf(tree).members;
    expect(after.map((m) => [m.offset, m.length])).toEqual(before.map((m) => [m.offset, m.length]));
    const changed = after.filter((m, i) => m.key !== before[i].key);
    expect(changed).toHaveLength(1);
    const newBytes = readFileSync(archive);
    const { offset, length } = changed[0];
    expect(newBytes.subarray(0, offset).equals(oldBytes.subarray(0, offset))).toBe(true);
    // Up to the trailer member, which is rebuilt at each pack (its padding follows the stream length).
    const last = after.at(-1)!;
    const tail = (b: Buffer) => b.subarray(offset + length, last.offset + last.length);
    expect(tail(newBytes).equals(tail(oldBytes))).toBe(true);
    expect(gzipMembers(newBytes).count).toBeGreaterThan(inc.members); // the rebuilt one is cut into sub-members
    const full = await packTree({ tree, archive: path.join(work, "inplace-full.cpio.gz"), memberSize: M, full: true });
    expect(gunzipSync(newBytes).equals(gunzipSync(readFileSync(full.archive)))).toBe(true);
    expect(sh("gzip", ["-t", archive]).length).toBe(0);
  });

  it("an edit too big for the slack moves the later members and still equals a full pack's stream", async () => {
    const tree = makeTree("shift");
    const archive = path.join(work, "shift.cpio.gz");
    await packTree({ tree, archive, memberSize: M });
    const before = cacheOf(tree).members;
    appendFileSync(path.join(tree, "etc/20-juliet.conf"), randomBytes(8000));
    const inc = await packTree({ tree, archive, memberSize: M });
    expect(inc.membersReused).toBeGreaterThan(inc.members / 2);
    const after = cacheOf(tree).members;
    expect(after.at(-1)!.offset).toBeGreaterThan(before.at(-1)!.offset);
    const full = await packTree({ tree, archive: path.join(work, "shift-full.cpio.gz"), memberSize: M, full: true });
    expect(gunzipSync(readFileSync(archive)).equals(gunzipSync(readFileSync(full.archive)))).toBe(true);
  });

  it("cancelling an incremental pack while the previous archive is being copied leaves no temp file", async () => {
    const tree = makeTree("cancel");
    const dir = path.join(work, "cancel-out");
    mkdirSync(dir);
    const archive = path.join(dir, "rootimg.cpio.gz");
    await packTree({ tree, archive, memberSize: M });
    const before = readFileSync(archive);
    appendFileSync(path.join(tree, "etc/10-kilo.conf"), "x\n");
    const ac = new AbortController();
    const err = await packTree({ tree, archive, memberSize: M, signal: ac.signal, onProgress: () => ac.abort() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveCancelledError);
    expect(readFileSync(archive).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f !== ".rootimg-studio")).toEqual(["rootimg.cpio.gz"]);
    expect(existsSync(versionsDirFor(archive)) ? readdirSync(versionsDirFor(archive)) : []).toEqual([]);
  });
});
