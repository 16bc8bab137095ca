import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { acquireImageLock, lockBusyMessage, lockPathFor, parseHolder, probeImageLock } from "./image-lock";
import { loadTranscripts } from "./transcripts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "imglock-"));
const lockDir = path.join(tmp, "lock");
const tree = path.join(tmp, "install/netboot/x/rootimg");
fs.mkdirSync(tree, { recursive: true });

describe("xCAT image lock", () => {
  it("uses xCAT's file name: dotted realpath + md5 of the realpath", () => {
    const real = fs.realpathSync(tree);
    expect(lockPathFor(tree, lockDir)).toBe(
      path.join(lockDir, `${real.replaceAll("/", ".")}.${createHash("md5").update(real).digest("hex")}`),
    );
  });

  it("holds the lock with our PID, refuses a second holder with xCAT's message, and releases", async () => {
    const a = await acquireImageLock({ rootimgDir: tree, lockDir });
    expect(fs.readFileSync(a.path, "utf8")).toBe(String(process.pid)); // xCAT's form: no newline
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
      for (let i = 0; i < 100 && !(await probeImageLock({ rootimgDir: tree, lockDir })).locked; i++)
        await new Promise((r) => setTimeout(r, 50));
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

  it("reads the holder from both forms; xCAT's message is one line only without the newline", async () => {
    const other = path.join(tmp, "install/netboot/y/rootimg");
    fs.mkdirSync(other, { recursive: true });
    const a = await acquireImageLock({ rootimgDir: other, lockDir });
    a.release();
    // Real xCAT's message when the lock file held `17102\n`: it breaks in two.
    const t = loadTranscripts(path.join(process.cwd(), "test/fake-xcat/xcat-transcripts-nodes.md")).get(
      "82-packimage-while-rootimg-studio-packs",
    )!;
    expect(t.stdout).toContain("0000000   1   7   1   0   2  \\n");
    expect(t.stderr.split("\n").filter(Boolean)).toHaveLength(2);
    expect(parseHolder("17102\n")).toBe("17102");
    expect(parseHolder("16826")).toBe("16826");
    expect(parseHolder("")).toBe("unknown");
    const dir = "/install/netboot/rhels8/x86_64/big/rootimg";
    expect(`Error: [mgmt]: ${lockBusyMessage("17102\n", dir)}\n`).toBe(t.stderr); // a holder written with a newline breaks xCAT's message
    expect(lockBusyMessage(fs.readFileSync(a.path, "utf8"), dir).split("\n")).toHaveLength(1);
  });
});
