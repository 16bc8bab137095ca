import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasPrivateAncestor, mountAt, protectTree, releaseTree } from "./tree-mount";

// Real mounts and a real second local account: this runs as root, like the product.
const user = `rtimg${process.pid % 100000}`;
let uid = 0;
let gid = 0;
let base = "";

beforeAll(() => {
  const r = spawnSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`useradd failed: ${r.stderr}`);
  uid = Number(spawnSync("id", ["-u", user], { encoding: "utf8" }).stdout);
  gid = Number(spawnSync("id", ["-g", user], { encoding: "utf8" }).stdout);
  // under /tmp: every directory above is passable by others, like /install/netboot/... is
  base = fs.mkdtempSync(path.join(os.tmpdir(), "rootimg-mount-"));
  fs.chmodSync(base, 0o755);
});

afterAll(async () => {
  await releaseTree(path.join(base, "rootimg"));
  fs.rmSync(base, { recursive: true, force: true });
  spawnSync("userdel", [user]);
});

/** A tree like an unpacked image: a setuid-root copy of `id`, a device node for the host's memory-less null, a 1777 tmp. */
function makeTree(dir: string): void {
  fs.mkdirSync(path.join(dir, "usr/bin"), { recursive: true });
  fs.mkdirSync(path.join(dir, "dev"));
  fs.mkdirSync(path.join(dir, "tmp"));
  fs.chmodSync(path.join(dir, "tmp"), 0o1777);
  fs.copyFileSync("/usr/bin/id", path.join(dir, "usr/bin/id"));
  fs.chmodSync(path.join(dir, "usr/bin/id"), 0o4755);
  expect(spawnSync("mknod", ["-m", "666", path.join(dir, "dev/null"), "c", "1", "3"]).status).toBe(0);
}

const asUser = (cmd: string, args: string[]) => spawnSync(cmd, args, { uid, gid, encoding: "utf8" });

describe("local privilege escalation through an unpacked tree", () => {
  it("a local user runs a setuid-root program of the tree as root and opens its device nodes, until the tree is protected", async () => {
    const tree = path.join(base, "rootimg");
    makeTree(tree);
    expect(hasPrivateAncestor(tree)).toBe(false);
    // unprotected: what the attack did
    expect(asUser(path.join(tree, "usr/bin/id"), []).stdout).toMatch(/euid=0\(root\)/);
    expect(asUser("sh", ["-c", `echo x > ${tree}/dev/null`]).status).toBe(0);

    expect(await protectTree(tree)).toEqual({ tree, state: "mounted" });
    expect(mountAt(tree)?.options).toEqual(expect.arrayContaining(["nosuid", "nodev"]));
    const id = asUser(path.join(tree, "usr/bin/id"), []);
    expect(id.status).toBe(0);
    expect(id.stdout).not.toMatch(/euid=/);
    expect(asUser("sh", ["-c", `echo x > ${tree}/dev/null`]).stderr).toMatch(/Permission denied/);
    // the files keep their modes (packing archives them as they are)
    expect(fs.statSync(path.join(tree, "usr/bin/id")).mode & 0o7777).toBe(0o4755);
    expect(fs.statSync(path.join(tree, "dev/null")).isCharacterDevice()).toBe(true);
    // what a local user can still do: read what is world-readable, and write into world-writable directories
    expect(asUser("cat", [path.join(tree, "usr/bin/id")]).status).toBe(0);
    expect(asUser("touch", [path.join(tree, "tmp/planted")]).status).toBe(0);

    expect(await protectTree(tree)).toEqual({ tree, state: "already" });
    await releaseTree(tree);
    expect(mountAt(tree)).toBeNull();
    // released: the tree can be renamed again (a mount point cannot)
    fs.renameSync(tree, `${tree}.aside`);
    fs.renameSync(`${tree}.aside`, tree);
  });

  it("a tree below a directory only root may pass needs no mount: nobody else reaches it", async () => {
    const priv = path.join(base, "private");
    fs.mkdirSync(priv, { mode: 0o700 });
    const tree = path.join(priv, "images/demo/rootimg");
    makeTree(tree);
    expect(await protectTree(tree)).toEqual({ tree, state: "private" });
    expect(mountAt(tree)).toBeNull();
    const r = asUser(path.join(tree, "usr/bin/id"), []);
    expect(r.error?.message ?? r.stderr).toMatch(/EACCES|Permission denied/);
    expect(asUser("touch", [path.join(tree, "tmp/planted")]).status).not.toBe(0);
  });
});
