import { describe, expect, it } from "vitest";
import type { EffectEntry, EntryState } from "@/lib/chroot/effect";
import { privilegedAction, privilegedEffect, privilegedReasons } from "./privileged-modes";

const state = (type: EntryState["type"], mode: number, uid = 0): EntryState => ({ type, mode, uid, gid: 0, size: 10, ino: 1, mtimeMs: 0 });

describe("privilegedReasons (the file API)", () => {
  it("new setuid/setgid bits on a file and a world-executable file handed to root; not bits it had, not directories", () => {
    expect(privilegedReasons({ type: "file", after: { mode: 0o4755, uid: 0 } })).toEqual(["setuid"]);
    expect(privilegedReasons({ type: "file", before: { mode: 0o755, uid: 0 }, after: { mode: 0o6755, uid: 0 } })).toEqual([
      "setuid",
      "setgid",
    ]);
    expect(privilegedReasons({ type: "file", before: { mode: 0o4755, uid: 0 }, after: { mode: 0o4750, uid: 0 } })).toEqual([]);
    expect(privilegedReasons({ type: "dir", after: { mode: 0o2775, uid: 0 } })).toEqual([]);
    expect(privilegedReasons({ type: "file", before: { mode: 0o755, uid: 1001 }, after: { mode: 0o755, uid: 0 } })).toEqual([
      "root-executable",
    ]);
  });
});

describe("local privilege escalation through a command's effect", () => {
  it("a setuid program, a device node, or new content under kept setuid bits is privileged; ordinary files are not", () => {
    const added = (after: EntryState): EffectEntry => ({ path: "/tmp/x", kind: "added", after });
    // cp /bin/busybox /tmp/rootsh && chmod 4755 /tmp/rootsh
    expect(privilegedEffect(added(state("file", 0o4755)))).toEqual(["setuid"]);
    // mknod /tmp/disk b 8 0
    expect(privilegedEffect(added(state("block", 0o660)))).toEqual(["device"]);
    expect(privilegedEffect(added(state("char", 0o666)))).toEqual(["device"]);
    // an existing device node pointed at another device
    expect(
      privilegedEffect({
        path: "/dev/null",
        kind: "metadata",
        fields: ["device"],
        before: state("char", 0o666),
        after: state("char", 0o666),
      }),
    ).toEqual(["device"]);
    // chmod of a device node it had: not a new device
    expect(
      privilegedEffect({
        path: "/dev/null",
        kind: "metadata",
        fields: ["mode"],
        before: state("char", 0o666),
        after: state("char", 0o660),
      }),
    ).toEqual([]);
    // cp /bin/busybox /usr/local/sbin/suid-helper: the kept 4755 now runs other code (as an upload over it)
    expect(
      privilegedEffect({
        path: "/usr/local/sbin/suid-helper",
        kind: "modified",
        fields: ["content"],
        before: state("file", 0o4755),
        after: state("file", 0o4755),
      }),
    ).toEqual(["setuid"]);
    // a symlink replaced by a setuid file: new
    expect(privilegedEffect({ path: "/bin/sh", kind: "type", before: state("symlink", 0o777), after: state("file", 0o4755) })).toEqual([
      "setuid",
    ]);
    // ordinary work: a new root-owned program, an edited config, a removal
    expect(privilegedEffect(added(state("file", 0o755)))).toEqual([]);
    expect(
      privilegedEffect({
        path: "/etc/motd",
        kind: "modified",
        fields: ["content"],
        before: state("file", 0o644),
        after: state("file", 0o644),
      }),
    ).toEqual([]);
    expect(privilegedEffect({ path: "/usr/local/sbin/suid-helper", kind: "removed", before: state("file", 0o4755) })).toEqual([]);
  });

  it("each privilege is audited under its own action name", () => {
    expect(privilegedAction(["setuid"])).toBe("file.setuid");
    expect(privilegedAction(["setgid", "device"])).toBe("file.setuid");
    expect(privilegedAction(["device"])).toBe("file.device");
    expect(privilegedAction(["root-executable"])).toBe("file.chown-root");
  });
});
