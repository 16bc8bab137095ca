import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ArchiveError } from "./errors.ts";
import { makeFixtureTree, tmp } from "./test-fixtures.ts";
import { type TreeEntry, walkTree } from "./walk-tree.ts";

let root: string;
beforeEach(() => {
  root = path.join(tmp("walk-"), "tree");
  makeFixtureTree(root);
  // Enough directories two levels down for the walk to hand their subtrees to worker threads.
  for (let i = 0; i < 12; i++) {
    const d = path.join(root, `opt/stack-${String(i).padStart(2, "0")}/lib/deeper`);
    mkdirSync(d, { recursive: true });
    for (let f = 0; f < 20; f++) writeFileSync(path.join(d, `f${f}.so`), `${i}:${f}`);
  }
});
afterEach(() => rmSync(path.dirname(root), { recursive: true, force: true }));

const flat = (es: TreeEntry[]) => es.map((e) => [e.rel, e.type, e.abs, { ...e.st }]);

describe("walkTree", () => {
  it("gives the same entries in the same order on worker threads as on the calling thread", async () => {
    const one = await walkTree(root, { threads: 1 });
    const two = await walkTree(root, { threads: 2 });
    const three = await walkTree(root, { threads: 3 });
    expect(flat(two)).toEqual(flat(one));
    expect(flat(three)).toEqual(flat(one));
    expect(one[0].rel).toBe("");
    expect(one.length).toBe(1 + readdirSync(root, { recursive: true }).length);
  });

  it("lists parents before children and sorts names within each directory", async () => {
    const rels = (await walkTree(root, { threads: 2 })).map((e) => e.rel);
    const at = (r: string) => rels.indexOf(r);
    expect(at("opt/stack-00")).toBeLessThan(at("opt/stack-00/lib"));
    expect(at("opt/stack-00/lib/deeper/f9.so")).toBeLessThan(at("opt/stack-01"));
    const kids = rels.filter((r) => /^opt\/stack-03\/lib\/deeper\/[^/]+$/.test(r));
    expect(kids).toEqual([...kids].sort());
    expect(kids).toHaveLength(20);
    const dev = (await walkTree(root, { threads: 2 })).find((e) => e.rel === "dev/null");
    expect(dev?.type).toBe("char");
  });

  it("refuses a name that is not valid UTF-8 found by a worker, as on the calling thread", async () => {
    const dir = Buffer.from(path.join(root, "opt/stack-05/lib/deeper/"));
    writeFileSync(Buffer.concat([dir, Buffer.from([0x62, 0xff, 0x2e, 0x73, 0x6f])]), "x");
    await expect(walkTree(root, { threads: 2 })).rejects.toBeInstanceOf(ArchiveError);
    await expect(walkTree(root, { threads: 1 })).rejects.toThrow(/not valid UTF-8/);
    await expect(walkTree(root, { threads: 2 })).rejects.toThrow(/not valid UTF-8/);
  });
});
