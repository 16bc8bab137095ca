import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { acquireImageLock, lockPathFor } from "@/lib/xcat/image-lock";
import { guardTree, unguardTree } from "./guard-tree";
import { mountAt, protectTree, releaseTree } from "./tree-mount";

// Real mounts and real flocks: this runs as root, like the product.
let base = "";
let lockDir = "";
let tree = "";
const lines: string[] = [];

beforeAll(() => {
  // under /tmp: every directory above is passable by others, like /install/netboot/... is
  base = fs.mkdtempSync(path.join(os.tmpdir(), "rootimg-guard-"));
  fs.chmodSync(base, 0o755);
  lockDir = path.join(base, "lock");
  tree = path.join(base, "rootimg");
  fs.mkdirSync(path.join(tree, "dev"), { recursive: true });
  expect(spawnSync("mknod", ["-m", "600", path.join(tree, "dev/null"), "c", "1", "3"]).status).toBe(0);
});

afterAll(async () => {
  await unguardTree(tree);
  await releaseTree(tree);
  fs.rmSync(base, { recursive: true, force: true });
});

const isProtected = () => {
  const o = mountAt(tree)?.options ?? [];
  return o.includes("nosuid") && o.includes("nodev");
};

/** What genimage's chroot does with the host's /dev copied into the tree: open a device node, as root. */
const openDevNull = () => {
  try {
    fs.closeSync(fs.openSync(path.join(tree, "dev/null"), "w"));
    return "opened";
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
};

/** Another process holding xCAT's lock on the tree as rh genimage does: flock, then its pid into the file. */
async function holdLockLikeGenimage(): Promise<ChildProcess> {
  const lockFile = lockPathFor(tree, lockDir);
  const holder = spawn("flock", ["-n", lockFile, "sh", "-c", 'printf %s $$ > "$1"; exec sleep 60', "sh", lockFile], {
    stdio: "ignore",
    detached: true,
  });
  await vi.waitFor(() => expect(fs.readFileSync(lockFile, "utf8")).toMatch(/^\d+$/), { timeout: 10_000, interval: 20 });
  return holder;
}

function stop(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    p.once("exit", () => resolve());
    process.kill(-p.pid!, "SIGKILL"); // the group: flock and the sleep that inherited the locked fd
  });
}

describe("a protected tree steps out of the way of xCAT's genimage", () => {
  it("while another process holds xCAT's lock the tree's nosuid,nodev is lifted, and put back when it lets go", async () => {
    expect(await protectTree(tree)).toEqual({ tree, state: "mounted" });
    expect(openDevNull()).toBe("EACCES"); // what breaks genimage's scriptlets and dracut
    guardTree(tree, { lockDir, say: (l) => lines.push(l) });

    const holder = await holdLockLikeGenimage();
    await vi.waitFor(() => expect(isProtected()).toBe(false), { timeout: 15_000, interval: 50 });
    expect(openDevNull()).toBe("opened");
    const pid = fs.readFileSync(lockPathFor(tree, lockDir), "utf8");
    // said once the remount is done
    await vi.waitFor(() =>
      expect(lines).toContain(`${tree}: nosuid,nodev released for genimage/packimage/rmimage (pid ${pid} holds xCAT's lock)`),
    );

    await stop(holder);
    await vi.waitFor(() => expect(isProtected()).toBe(true), { timeout: 15_000, interval: 50 });
    expect(openDevNull()).toBe("EACCES");
    await vi.waitFor(() => expect(lines.at(-1)).toBe(`${tree}: nosuid,nodev protected again (xCAT's lock, held by pid ${pid}, is free)`));
  });

  it("genimage's umount_chroot taking the mount away entirely: protected again all the same", async () => {
    const holder = await holdLockLikeGenimage();
    await vi.waitFor(() => expect(isProtected()).toBe(false), { timeout: 15_000, interval: 50 });
    expect(spawnSync("umount", ["-l", "--", tree]).status).toBe(0);
    expect(mountAt(tree)).toBeNull();
    await stop(holder);
    await vi.waitFor(() => expect(isProtected()).toBe(true), { timeout: 15_000, interval: 50 });
  });

  it("the gate's own hold of the lock leaves the tree protected", async () => {
    const before = lines.length;
    // exactly how the gate holds it for a pack or an unpack
    const lock = await acquireImageLock({ rootimgDir: tree, lockDir });
    try {
      expect(fs.readFileSync(lock.path, "utf8")).toBe(String(process.pid));
      // the file written under the watch and more than one periodic re-check (every 5 s) later
      await new Promise((r) => setTimeout(r, 6000));
      expect(isProtected()).toBe(true);
      expect(openDevNull()).toBe("EACCES");
      expect(lines.slice(before)).toEqual([]);
    } finally {
      lock.release();
    }
  }, 20_000);

  it("an unguarded tree is left alone", async () => {
    await unguardTree(tree);
    const holder = await holdLockLikeGenimage();
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(isProtected()).toBe(true);
    } finally {
      await stop(holder);
    }
  });
});
