import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { acquireImageLock, lockPathFor, probeImageLock } from "./image-lock";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "imglock-"));
const lockDir = path.join(tmp, "lock");
const tree = path.join(tmp, "install/netboot/x/rootimg");
fs.mkdirSync(tree, { recursive: true });

describe("xCAT image lock", () => {
  it("uses xCAT's file name: dotted realpath + md5 of the realpath", () => {
    const real = fs.realpathSync(tree);
    expect(lockPathFor(tree, lockDir)).toBe(path.join(lockDir, `${real.replaceAll("/", ".")}.${createHash("md5").update(real).digest("hex")}`));
  });

  it("holds the lock with our PID, refuses a second holder with xCAT's message, and releases", async () => {
    const a = await acquireImageLock({ rootimgDir: tree, lockDir });
    expect(fs.readFileSync(a.path, "utf8")).toBe(`${process.pid}\n`);
    await expect(acquireImageLock({ rootimgDir: tree, lockDir })).rejects.toThrow(
      `failed to acquire lock, seems there is another genimage/packimage/rmimage process ${process.pid} running on root image dir "${fs.realpathSync(tree)}"`,
    );
    expect(await probeImageLock({ rootimgDir: tree, lockDir })).toEqual({ locked: true, holder: String(process.pid) });
    a.release();
    expect((await probeImageLock({ rootimgDir: tree, lockDir })).locked).toBe(false);
    const b = await acquireImageLock({ rootimgDir: tree, lockDir });
    b.release();
  });

  it("shared holders coexist, exclude an exclusive one both ways, and do not show as locked", async () => {
    const a = await acquireImageLock({ rootimgDir: tree, lockDir, shared: true });
    const b = await acquireImageLock({ rootimgDir: tree, lockDir, shared: true });
    expect((await acquireImageLock({ rootimgDir: tree, lockDir }).catch((e) => e)).code).toBe("conflict");
    expect((await probeImageLock({ rootimgDir: tree, lockDir })).locked).toBe(false);
    a.release();
    b.release();
    const x = await acquireImageLock({ rootimgDir: tree, lockDir });
    expect((await acquireImageLock({ rootimgDir: tree, lockDir, shared: true }).catch((e) => e)).code).toBe("conflict");
    x.release();
  });

  it("excludes another process that flocks the same file (as packimage would)", async () => {
    const file = lockPathFor(tree, lockDir);
    const child = spawn("flock", ["-n", file, "sleep", "30"], { stdio: "ignore", detached: true });
    try {
      for (let i = 0; i < 100 && !(await probeImageLock({ rootimgDir: tree, lockDir })).locked; i++) await new Promise((r) => setTimeout(r, 50));
      const err = await acquireImageLock({ rootimgDir: tree, lockDir }).catch((e) => e);
      expect(err.code).toBe("conflict");
    } finally {
      process.kill(-child.pid!); // the group: flock and the sleep that inherited the locked fd
    }
  });

  it("locks a tree that does not exist yet through its parent's realpath", () => {
    const missing = path.join(tmp, "install/netboot/x/none");
    expect(lockPathFor(missing, lockDir)).toContain(`${fs.realpathSync(path.dirname(missing)).replaceAll("/", ".")}.none.`);
  });
});
