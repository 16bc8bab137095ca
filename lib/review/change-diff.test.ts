/**
 * The change diff model and the revert on a real tree with a real published archive: every kind of change,
 * made through the product (pristine copy kept first) or by hand, shown and then reverted exactly.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diffTree } from "@/lib/archive/diff-tree";
import { packTree } from "@/lib/archive/pack-tree";
import { makeFixtureTree, sh, tmp } from "@/lib/archive/test-fixtures";
import { recordTreeManifest } from "@/lib/images/record-tree-manifest";
import { type ChangeSource, changeDiffOfTree, classify } from "./change-diff";
import { capturePristine } from "./pristine-store";
import { revertPathInTree } from "./revert-change";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function packedTree(): Promise<string> {
  const d = tmp("change-diff-");
  dirs.push(d);
  const tree = path.join(d, "rootimg");
  makeFixtureTree(tree);
  fs.writeFileSync(
    path.join(tree, "etc/passwd"),
    "root:x:0:0:root:/root:/bin/sh\nalice:x:1234:4321::/home/alice:/bin/sh\nbob:x:1235:4322::/home/bob:/bin/sh\n",
  );
  fs.writeFileSync(path.join(tree, "etc/group"), "root:x:0:\nstaff:x:4321:\nops:x:4322:\n");
  fs.copyFileSync("/bin/true", path.join(tree, "usr/bin/true"));
  fs.chmodSync(path.join(tree, "usr/bin/true"), 0o755);
  sh("setfattr", ["-n", "user.origin", "-v", "pristine", path.join(tree, "etc/owned")]);
  const archive = path.join(d, "rootimg.cpio.gz");
  await packTree({ tree, archive, memberSize: 16 * 1024 });
  await recordTreeManifest({ tree, source: archive });
  return tree;
}

const at = "2026-12-01T10:00:00.000Z";
const editor: ChangeSource[] = [{ how: "editor", by: "alice", at }];
const diff = (tree: string, p: string, sources: ChangeSource[] = []) => changeDiffOfTree({ image: "img", tree, imagePath: p, sources });

/** Nothing pending any more, by the same comparison the Changes page makes. */
async function pendingPaths(tree: string): Promise<string[]> {
  return (await diffTree({ tree })).changes.map((c) => c.path);
}

describe("changeDiffOfTree", () => {
  it("shows a text edit through the editor with both sides, the language and who made it", async () => {
    const tree = await packedTree();
    await capturePristine(tree, ["/etc/motd"]);
    fs.writeFileSync(path.join(tree, "etc/motd"), "hello\nworld\n");
    const d = await diff(tree, "/etc/motd", editor);
    expect(d).toMatchObject({ kind: "content", fields: ["content"], sources: editor, lastAt: at });
    expect(d.content).toEqual({ kind: "text", language: expect.any(String), before: "hello\n", after: "hello\nworld\n" });
    expect(d.before).toMatchObject({ octal: "0644", owner: "root", group: "root", size: 6 });
  });

  it("attributes a change nobody recorded to the outside of the product", async () => {
    const tree = await packedTree();
    fs.writeFileSync(path.join(tree, "etc/sub dir/deep"), "y");
    const d = await diff(tree, "/etc/sub dir/deep");
    expect(d.sources).toEqual([{ how: "outside", note: expect.stringContaining("outside Rootimg Studio") }]);
    expect(d.content).toMatchObject({ kind: "text", before: "x".repeat(5000), after: "y" });
  });

  it("shows added and removed files with one side only", async () => {
    const tree = await packedTree();
    fs.writeFileSync(path.join(tree, "etc/new.conf"), "key = 1\n");
    fs.rmSync(path.join(tree, "etc/owned"));
    const added = await diff(tree, "/etc/new.conf");
    expect(added).toMatchObject({
      kind: "added",
      before: null,
      after: { type: "file" },
      content: { kind: "text", before: null, after: "key = 1\n" },
    });
    const removed = await diff(tree, "/etc/owned");
    expect(removed).toMatchObject({
      kind: "removed",
      after: null,
      before: { owner: "alice", group: "staff", octal: "0640" },
      content: { kind: "text", before: "owned\n", after: null },
    });
  });

  it("shows mode, owner, group and link target changes with names from the image's passwd and group", async () => {
    const tree = await packedTree();
    fs.chmodSync(path.join(tree, "etc/motd"), 0o600);
    fs.chownSync(path.join(tree, "etc/owned"), 1235, 4322);
    fs.unlinkSync(path.join(tree, "etc/rel-link"));
    fs.symlinkSync("/usr/bin/true", path.join(tree, "etc/rel-link"));
    const mode = await diff(tree, "/etc/motd");
    expect(mode).toMatchObject({
      kind: "metadata",
      fields: ["mode"],
      before: { octal: "0644", symbolic: "-rw-r--r--" },
      after: { octal: "0600", symbolic: "-rw-------" },
      content: { kind: "none" },
    });
    const owner = await diff(tree, "/etc/owned");
    expect(owner).toMatchObject({
      kind: "metadata",
      fields: ["owner", "group"],
      before: { owner: "alice", group: "staff" },
      after: { owner: "bob", group: "ops" },
    });
    const link = await diff(tree, "/etc/rel-link");
    expect(link).toMatchObject({
      kind: "metadata",
      fields: ["target"],
      before: { linkTarget: "../usr/bin/perl" },
      after: { linkTarget: "/usr/bin/true" },
    });
  });

  it("shows a type change, and a binary change with sizes, hashes and what file(1) says of an ELF", async () => {
    const tree = await packedTree();
    fs.rmSync(path.join(tree, "etc/localtime"));
    fs.writeFileSync(path.join(tree, "etc/localtime"), "UTC\n");
    expect(await diff(tree, "/etc/localtime")).toMatchObject({
      kind: "type",
      fields: ["type"],
      before: { type: "symlink" },
      after: { type: "file" },
    });
    fs.copyFileSync("/bin/false", path.join(tree, "usr/bin/true"));
    const bin = await diff(tree, "/usr/bin/true");
    expect(bin.kind).toBe("content");
    expect(bin.content).toMatchObject({
      kind: "binary",
      reason: "binary",
      before: {
        size: fs.statSync("/bin/true").size,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        file: expect.stringContaining("ELF"),
      },
      after: { size: fs.statSync("/bin/false").size, file: expect.stringContaining("ELF") },
    });
  });

  it("shows a text file over the editor's limit by size and hash", async () => {
    const tree = await packedTree();
    const big = Buffer.from("a line of a big log file\n".repeat(260_000));
    fs.writeFileSync(path.join(tree, "var-big.log"), big);
    const d = await diff(tree, "/var-big.log");
    expect(d).toMatchObject({
      kind: "added",
      content: {
        kind: "binary",
        reason: "too-large",
        before: null,
        after: { size: big.length, sha256: createHash("sha256").update(big).digest("hex") },
      },
    });
  });

  it("shows extended attributes changed after the first change kept them", async () => {
    const tree = await packedTree();
    await capturePristine(tree, ["/etc/owned"]);
    sh("setfattr", ["-n", "user.origin", "-v", "changed", path.join(tree, "etc/owned")]);
    const d = await diff(tree, "/etc/owned");
    expect(d).toMatchObject({ kind: "metadata", fields: ["xattrs"] });
    expect(d.before?.xattrs).toEqual({ "user.origin": Buffer.from("pristine").toString("base64") });
    expect(d.after?.xattrs).toEqual({ "user.origin": Buffer.from("changed").toString("base64") });
  });

  it("hides the content of a file the caller may not read", async () => {
    const tree = await packedTree();
    fs.writeFileSync(path.join(tree, "etc/motd"), "secret\n");
    const d = await changeDiffOfTree({ image: "img", tree, imagePath: "/etc/motd", sources: [], hideContent: "sensitive" });
    expect(d.content).toEqual({ kind: "hidden", reason: "sensitive" });
  });

  it("classifies an entry that is back as it was as unchanged", () => {
    const side = {
      type: "file" as const,
      mode: 0o644,
      octal: "0644",
      symbolic: "-rw-r--r--",
      uid: 0,
      gid: 0,
      owner: "root",
      group: "root",
      size: 1,
      mtime: 1,
      sha256: "a",
    };
    expect(classify(side, { ...side })).toEqual({ kind: "unchanged", fields: [] });
  });
});

describe("revertPathInTree", () => {
  it("restores content, mode, owner and xattrs exactly, and the diff finds nothing pending", async () => {
    const tree = await packedTree();
    const owned = path.join(tree, "etc/owned");
    await capturePristine(tree, ["/etc/owned", "/etc/motd"]);
    fs.writeFileSync(owned, "rewritten\n");
    fs.chownSync(owned, 0, 0);
    fs.chmodSync(owned, 0o4755);
    sh("setfattr", ["-x", "user.origin", owned]);
    fs.chmodSync(path.join(tree, "etc/motd"), 0o600);
    expect(await pendingPaths(tree)).toEqual(["etc/motd", "etc/owned"]);
    expect(await revertPathInTree(tree, "/etc/owned")).toEqual({ path: "/etc/owned", action: "restored" });
    expect(await revertPathInTree(tree, "/etc/motd")).toEqual({ path: "/etc/motd", action: "metadata" });
    const st = fs.statSync(owned);
    expect([st.mode & 0o7777, st.uid, st.gid]).toEqual([0o640, 1234, 4321]);
    expect(fs.readFileSync(owned, "utf8")).toBe("owned\n");
    expect(sh("getfattr", ["-n", "user.origin", "--only-values", owned]).toString()).toBe("pristine");
    expect(fs.statSync(path.join(tree, "etc/motd")).mode & 0o7777).toBe(0o644);
    expect(await pendingPaths(tree)).toEqual([]);
  });

  it("re-creates removed files, directories, links and devices, and removes added ones", async () => {
    const tree = await packedTree();
    fs.rmSync(path.join(tree, "etc/sub dir"), { recursive: true });
    fs.rmSync(path.join(tree, "etc/dangling"));
    fs.rmSync(path.join(tree, "dev/loop9"));
    fs.rmSync(path.join(tree, "usr/bin/true")); // changed by hand, not kept: its bytes come from the archive
    fs.mkdirSync(path.join(tree, "opt/new"), { recursive: true });
    fs.writeFileSync(path.join(tree, "opt/new/file"), "added");
    for (const p of ["/etc/sub dir/deep", "/etc/dangling", "/dev/loop9", "/usr/bin/true", "/opt"]) await revertPathInTree(tree, p);
    expect(fs.readFileSync(path.join(tree, "etc/sub dir/deep"), "utf8")).toBe("x".repeat(5000));
    expect(fs.readlinkSync(path.join(tree, "etc/dangling"))).toBe("does-not-exist");
    expect(fs.lstatSync(path.join(tree, "etc/dangling")).uid).toBe(7);
    expect(fs.statSync(path.join(tree, "dev/loop9")).isBlockDevice()).toBe(true);
    expect(fs.readFileSync(path.join(tree, "usr/bin/true")).equals(fs.readFileSync("/bin/true"))).toBe(true);
    expect(fs.existsSync(path.join(tree, "opt"))).toBe(false);
    expect(await pendingPaths(tree)).toEqual([]);
  });

  it("puts back a link where a file was put, and a file where a directory was put", async () => {
    const tree = await packedTree();
    fs.rmSync(path.join(tree, "etc/localtime"));
    fs.writeFileSync(path.join(tree, "etc/localtime"), "UTC\n");
    fs.rmSync(path.join(tree, "etc/motd"));
    fs.mkdirSync(path.join(tree, "etc/motd"));
    fs.writeFileSync(path.join(tree, "etc/motd/inside"), "x");
    await revertPathInTree(tree, "/etc/localtime");
    await revertPathInTree(tree, "/etc/motd");
    expect(fs.readlinkSync(path.join(tree, "etc/localtime"))).toBe("/usr/share/zoneinfo/UTC");
    expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).toBe("hello\n");
    expect(await pendingPaths(tree)).toEqual([]);
  });
});
