import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { packTree } from "./pack-tree.ts";
import { gzipMembers, sh, tmp } from "./test-fixtures.ts";

// The Linux initramfs unpacker is the strictest reader of multi-member gzip: a member cut mid-entry panics the
// node, and it skips no optional gzip header field but FNAME. Boot a busybox image packed by us (incremental, its
// rebuilt member cut into sub-members and padded into the old one's place through FNAME) in QEMU (TCG, no KVM).
const work = tmp("arch-boot-");
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("kernel initramfs unpacker", () => {
  it("boots our incrementally repacked multi-member rootimg.cpio.gz with modes, setuid and hard links intact", () => {
    const root = path.join(work, "rootimg");
    for (const d of ["bin", "dev", "proc", "etc/many"]) mkdirSync(path.join(root, d), { recursive: true });
    copyFileSync("/usr/bin/busybox", path.join(root, "bin/busybox"));
    chmodSync(path.join(root, "bin/busybox"), 0o755);
    linkSync(path.join(root, "bin/busybox"), path.join(root, "bin/sh"));
    symlinkSync("busybox", path.join(root, "bin/stat"));
    sh("mknod", ["-m", "600", path.join(root, "dev/console"), "c", "5", "1"]);
    for (let i = 0; i < 300; i++) writeFileSync(path.join(root, `etc/many/f${i}`), `file ${i}\n`.repeat(50));
    writeFileSync(path.join(root, "etc/suid"), "x");
    chmodSync(path.join(root, "etc/suid"), 0o4755);
    writeFileSync(
      path.join(root, "init"),
      "#!/bin/sh\n/bin/busybox mount -t proc proc /proc\necho \"BOOT $(/bin/busybox cat /etc/many/f7 | /bin/busybox head -1) $(/bin/busybox stat -c '%a:%h' /etc/suid /bin/sh | /bin/busybox tr '\\n' ' ')\"\n/bin/busybox poweroff -f\n",
    );
    chmodSync(path.join(root, "init"), 0o755);
    const archive = path.join(work, "rootimg.cpio.gz");
    return (async () => {
      await packTree({ tree: root, archive, memberSize: 32 * 1024 });
      writeFileSync(path.join(root, "etc/many/f7"), "edited\n");
      const inc = await packTree({ tree: root, archive, memberSize: 32 * 1024 });
      expect(inc.membersReused).toBe(inc.members - 2);
      const gz = readFileSync(archive);
      const { count, padded } = gzipMembers(gz);
      expect(count).toBeGreaterThan(inc.members); // the rebuilt member is cut into sub-members
      expect(padded).toBeGreaterThan(inc.members / 2);
      expect(gunzipSync(gz).length % 512).toBe(0);
      const kernel = readdirSync("/boot")
        .filter((f) => f.startsWith("vmlinuz-"))
        .sort()
        .at(-1)!;
      const r = spawnSync(
        "qemu-system-x86_64",
        [
          "-accel",
          "tcg",
          "-m",
          "512",
          "-nographic",
          "-no-reboot",
          "-nic",
          "none",
          "-kernel",
          `/boot/${kernel}`,
          "-initrd",
          archive,
          "-append",
          "console=ttyS0 panic=-1 quiet",
        ],
        { encoding: "latin1", timeout: 50_000 },
      );
      expect(r.stdout).toContain("BOOT edited 4755:1 755:2");
      expect(r.stdout).not.toContain("junk");
    })();
  }, 60_000);
});
