/**
 * A confirmed replace interrupted at every step (the hook throws before that rename, leaving the disk as a
 * crash there would), then the start-up recovery: before the commit the old tree and its pristine manifest
 * are back, after it the new ones stay; nothing else is left in rootimgdir either way.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffTree, packTree, readManifest, stateDirFor, unpackArchive } from "@/lib/archive";
import { recordTreeManifest } from "./record-tree-manifest";
import { pendingReplaceIds, type ReplaceStep, recoverReplace, replaceTree } from "./replace-tree";
import { mountAt, protectTree, releaseTree } from "./tree-mount";

class Crash extends Error {}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "replace-tree-"));
const archive = path.join(tmp, "new.cpio.gz");
const BEFORE_COMMIT: (ReplaceStep | "stage")[] = ["stage", "aside.tree", "aside.state", "swap.tree", "swap.state", "commit.tree"];
const AFTER_COMMIT: ReplaceStep[] = ["commit.state", "clean"];

beforeAll(async () => {
  const src = path.join(tmp, "src");
  fs.mkdirSync(path.join(src, "etc"), { recursive: true });
  fs.writeFileSync(path.join(src, "etc/motd"), "new tree\n");
  await packTree({ tree: src, archive });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** rootimgdir with an old tree (edited after its manifest was recorded) and its state dir. */
async function oldImage(name: string): Promise<string> {
  const dir = path.join(tmp, name);
  const tree = path.join(dir, "rootimg");
  fs.mkdirSync(path.join(tree, "etc"), { recursive: true });
  fs.writeFileSync(path.join(tree, "etc/motd"), "old tree\n");
  await recordTreeManifest({ tree, source: tree });
  fs.writeFileSync(path.join(tree, "etc/marker"), "an edit in the old tree\n");
  return dir;
}

async function crashAt(dir: string, id: string, at: ReplaceStep | "stage"): Promise<void> {
  const run = replaceTree({
    rootimgdir: dir,
    id,
    stage: async (dest) => {
      if (at !== "stage") return void (await unpackArchive({ archive, dest }));
      // a crash mid-unpack leaves unpackArchive's temp dir beside the staged name
      fs.mkdirSync(path.join(dir, `.${path.basename(dest)}.unpack-abc123/etc`), { recursive: true });
      throw new Crash("killed while unpacking");
    },
    beforeStep: (s) => {
      if (s === at) throw new Crash(`killed before ${s}`);
    },
  });
  await expect(run).rejects.toBeInstanceOf(Crash);
}

const leftovers = (dir: string) =>
  [...fs.readdirSync(dir), ...fs.readdirSync(path.join(dir, ".rootimg-studio")).map((f) => `.rootimg-studio/${f}`)].sort();

describe("replace interrupted at each step, then recovered at start-up", () => {
  for (const at of BEFORE_COMMIT)
    it(`before ${at}: the old tree and its manifest are restored`, async () => {
      const dir = await oldImage(`before-${at}`);
      await crashAt(dir, "job1", at);
      expect(pendingReplaceIds(dir)).toEqual(["job1"]);
      const outcome = await recoverReplace(dir, "job1");
      expect(outcome).toBe(["stage", "aside.tree"].includes(at) ? "cleaned" : "restored");
      const tree = path.join(dir, "rootimg");
      expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).toBe("old tree\n");
      expect(fs.readFileSync(path.join(tree, "etc/marker"), "utf8")).toBe("an edit in the old tree\n");
      // the old manifest came back with it: the edit is still the one pending change
      expect((await diffTree({ tree })).changes.map((c) => `${c.letter} ${c.path}`)).toEqual(["A etc/marker"]);
      expect(leftovers(dir)).toEqual([".rootimg-studio", ".rootimg-studio/rootimg", "rootimg"]);
      expect(pendingReplaceIds(dir)).toEqual([]);
    });

  for (const at of AFTER_COMMIT)
    it(`before ${at}: the new tree and its manifest stay, the old tree is removed`, async () => {
      const dir = await oldImage(`after-${at}`);
      await crashAt(dir, "job2", at);
      expect(await recoverReplace(dir, "job2")).toBe("committed");
      const tree = path.join(dir, "rootimg");
      expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).toBe("new tree\n");
      expect(fs.existsSync(path.join(tree, "etc/marker"))).toBe(false);
      expect((await readManifest(tree))!.archive).toBe(archive);
      expect((await diffTree({ tree })).changes).toEqual([]);
      expect(leftovers(dir)).toEqual([".rootimg-studio", ".rootimg-studio/rootimg", "rootimg"]);
    });

  it("without a crash: the new tree with its manifest, nothing left over, recovery has nothing to do", async () => {
    const dir = await oldImage("complete");
    await replaceTree({ rootimgdir: dir, id: "job3", stage: async (dest) => void (await unpackArchive({ archive, dest })) });
    expect(fs.readFileSync(path.join(dir, "rootimg/etc/motd"), "utf8")).toBe("new tree\n");
    expect(fs.existsSync(stateDirFor(path.join(dir, ".rootimg.staged-job3")))).toBe(false);
    expect(leftovers(dir)).toEqual([".rootimg-studio", ".rootimg-studio/rootimg", "rootimg"]);
    expect(await recoverReplace(dir, "job3")).toBe("none");
  });

  for (const at of ["swap.tree", "swap.state", "commit.tree"] as const)
    it(`an old tree without a manifest (genimage's), cut before ${at}: restored without the new tree's manifest`, async () => {
      const dir = await oldImage(`nomanifest-${at}`);
      fs.rmSync(path.join(dir, ".rootimg-studio/rootimg"), { recursive: true });
      await crashAt(dir, "job5", at);
      expect(await recoverReplace(dir, "job5")).toBe("restored");
      expect(fs.readFileSync(path.join(dir, "rootimg/etc/motd"), "utf8")).toBe("old tree\n");
      expect(await readManifest(path.join(dir, "rootimg"))).toBeNull();
      expect(leftovers(dir)).toEqual([".rootimg-studio", "rootimg"]);
    });

  it("recovery is idempotent: a second run after a restore changes nothing", async () => {
    const dir = await oldImage("twice");
    await crashAt(dir, "job4", "swap.state");
    expect(await recoverReplace(dir, "job4")).toBe("restored");
    expect(await recoverReplace(dir, "job4")).toBe("none");
    expect(fs.readFileSync(path.join(dir, "rootimg/etc/motd"), "utf8")).toBe("old tree\n");
  });
});

describe("local privilege escalation during a replace", () => {
  // a rootimgdir everybody may pass, as /install is (mkdtemp made the test's directory 0700)
  beforeAll(() => fs.chmodSync(tmp, 0o755));
  it("the new tree is protected before the old one is deleted, which goes inside a root-only directory", async () => {
    const dir = await oldImage("protected");
    const tree = path.join(dir, "rootimg");
    let protection: string | undefined;
    let oldTreeStill = false;
    let trashMode = -1;
    await replaceTree({
      rootimgdir: dir,
      id: "job6",
      stage: async (dest) => void (await unpackArchive({ archive, dest })),
      inPlace: async () => {
        protection = (await protectTree(tree)).state;
        oldTreeStill = fs.existsSync(path.join(dir, ".rootimg.replaced-job6/etc/marker"));
      },
      beforeStep: (s) => {
        if (s === "clean") trashMode = fs.statSync(path.join(dir, ".rootimg.trash-job6")).mode & 0o7777;
      },
    });
    try {
      expect(protection).toBe("mounted");
      expect(oldTreeStill).toBe(true);
      expect(mountAt(tree)?.options).toEqual(expect.arrayContaining(["nosuid", "nodev"]));
      expect(trashMode).toBe(0o700);
    } finally {
      await releaseTree(tree);
    }
  });

  it("a replace cut after the new tree was protected is still recovered: the mount goes, the old tree comes back", async () => {
    const dir = await oldImage("protected-crash");
    const tree = path.join(dir, "rootimg");
    const run = replaceTree({
      rootimgdir: dir,
      id: "job7",
      stage: async (dest) => void (await unpackArchive({ archive, dest })),
      inPlace: () => protectTree(tree),
      beforeStep: (s) => {
        if (s === "commit.tree") throw new Crash(`killed before ${s}`);
      },
    });
    await expect(run).rejects.toBeInstanceOf(Crash);
    expect(mountAt(tree)?.bind).toBe(true);
    expect(await recoverReplace(dir, "job7")).toBe("restored");
    expect(mountAt(tree)).toBeNull();
    expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).toBe("old tree\n");
    expect(leftovers(dir)).toEqual([".rootimg-studio", ".rootimg-studio/rootimg", "rootimg"]);
  });
});
