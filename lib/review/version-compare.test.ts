/** Two archives compared as streams: members both share are skipped; a foreign single stream is read whole. */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packTree } from "@/lib/archive/pack-tree";
import { makeFixtureTree, sh, tmp } from "@/lib/archive/test-fixtures";
import { memberRanges } from "./archive-members";
import { compareArchives, fileInArchive } from "./version-compare";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function twoVersions(): Promise<{ d: string; tree: string; v1: string; v2: string }> {
  const d = tmp("compare-");
  dirs.push(d);
  const tree = path.join(d, "rootimg");
  makeFixtureTree(tree);
  for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(tree, `etc/conf${i}`), `${i}\n${"setting = value\n".repeat(400)}`);
  const live = path.join(d, "rootimg.cpio.gz");
  await packTree({ tree, archive: live, memberSize: 8 * 1024 });
  const v1 = path.join(d, "1-rootimg.cpio.gz");
  fs.linkSync(live, v1); // kept as versions are: a hard link, the next publish renames over the live name
  fs.writeFileSync(path.join(tree, "etc/motd"), "hello\nversion two\n");
  fs.chmodSync(path.join(tree, "etc/conf7"), 0o600);
  fs.rmSync(path.join(tree, "etc/empty"));
  fs.writeFileSync(path.join(tree, "etc/added"), "new\n");
  await packTree({ tree, archive: live, memberSize: 8 * 1024 });
  const v2 = path.join(d, "2-rootimg.cpio.gz");
  fs.linkSync(live, v2);
  return { d, tree, v1, v2 };
}

describe("compareArchives", () => {
  it("lists every change between two product-packed versions, reading only the members that differ", async () => {
    const { v1, v2 } = await twoVersions();
    expect(memberRanges(v1)!.length).toBeGreaterThan(10);
    const r = await compareArchives(v1, v2);
    expect(r.changes.map((c) => [c.path, c.kind, c.fields.join(",")])).toEqual([
      ["/etc/added", "added", ""],
      ["/etc/conf7", "metadata", "mode"],
      ["/etc/empty", "removed", ""],
      ["/etc/motd", "content", "content"],
    ]);
    expect(r.members.skipped).toBeGreaterThan(r.members.from / 2);
    expect((await fileInArchive(v1, "/etc/motd"))?.data.toString()).toBe("hello\n");
    expect((await fileInArchive(v2, "/etc/motd"))?.data.toString()).toBe("hello\nversion two\n");
    expect(await fileInArchive(v2, "/etc/empty")).toBeNull();
  });

  it("reads a foreign single-stream archive whole and finds the same changes", async () => {
    const { d, v1, v2 } = await twoVersions();
    // v1 rewritten as one gzip stream by cpio+gzip, from an unpacked copy of it
    const src = path.join(d, "v1-tree");
    fs.mkdirSync(src);
    sh("sh", ["-c", 'gzip -dc "$1" | cpio -idm --quiet', "sh", v1], { cwd: src });
    const foreign = path.join(d, "foreign.cpio.gz");
    fs.writeFileSync(
      foreign,
      sh("gzip", ["-c"], {
        input: sh("cpio", ["-o", "-0", "-H", "newc", "--quiet"], { cwd: src, input: sh("find", [".", "-print0"], { cwd: src }) }),
      }),
    );
    expect(memberRanges(foreign)).toBeNull();
    const r = await compareArchives(foreign, v2);
    expect(r.members.skipped).toBe(0);
    expect(r.changes.filter((c) => c.path.startsWith("/etc/")).map((c) => [c.path, c.kind])).toEqual([
      ["/etc/added", "added"],
      ["/etc/conf7", "metadata"],
      ["/etc/empty", "removed"],
      ["/etc/motd", "content"],
    ]);
  });
});
