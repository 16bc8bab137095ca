import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sweepStateTemps, sweepTreeTemps } from "./sweep-image-temps";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sweep-state-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("sweepStateTemps", () => {
  it("removes half-written manifest, pack-cache, pristine-store, spare-archive and version-manifest temps at any depth, and keeps the real state and the writes journal", () => {
    const state = path.join(tmp, ".rootimg-studio");
    const files = [
      "rootimg/manifest.json",
      "rootimg/manifest.json.tmp-4242",
      "rootimg/pack-cache.json.tmp-4243",
      "versions/3-rootimg.cpio.gz",
      "versions/manifest-3.json",
      "versions/manifest-4.json.tmp-4244",
      `rootimg/pack-cache.json.tmp-${process.pid}`,
      "published-checked.json",
      "relink.tmp-4245",
      "rootimg/pristine/seed.pack",
      "rootimg/pristine/seed.pack.tmp-4246-k3j2x9",
      "rootimg/pristine/blobs/ab12.gz.tmp-4247-0q9z",
      ".spare/rootimg.cpio.gz",
      ".spare/rootimg.cpio.gz.tmp-4248-0a1b2c3d",
    ];
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(state, f)), { recursive: true });
      fs.writeFileSync(path.join(state, f), "x");
    }
    fs.mkdirSync(path.join(state, "rootimg/writes"));
    fs.writeFileSync(path.join(state, "rootimg/writes/0123456789ab.json"), "{}");
    // while running, only temps of dead processes go (this process's own write may be in flight)
    expect(sweepStateTemps(tmp, false).sort()).toEqual(
      [
        ".rootimg-studio/.spare/rootimg.cpio.gz.tmp-4248-0a1b2c3d",
        ".rootimg-studio/relink.tmp-4245",
        ".rootimg-studio/rootimg/manifest.json.tmp-4242",
        ".rootimg-studio/rootimg/pack-cache.json.tmp-4243",
        ".rootimg-studio/rootimg/pristine/blobs/ab12.gz.tmp-4247-0q9z",
        ".rootimg-studio/rootimg/pristine/seed.pack.tmp-4246-k3j2x9",
        ".rootimg-studio/versions/manifest-4.json.tmp-4244",
      ].filter((f) => !isAlive(f)),
    );
    sweepStateTemps(tmp, true);
    expect(fs.readdirSync(path.join(state, "rootimg")).sort()).toEqual(["manifest.json", "pristine", "writes"]);
    expect(fs.readdirSync(path.join(state, "rootimg/pristine")).sort()).toEqual(["blobs", "seed.pack"]);
    expect(fs.readdirSync(path.join(state, "rootimg/pristine/blobs"))).toEqual([]);
    expect(fs.readdirSync(path.join(state, ".spare"))).toEqual(["rootimg.cpio.gz"]);
    expect(fs.readdirSync(path.join(state, "versions")).sort()).toEqual(["3-rootimg.cpio.gz", "manifest-3.json"]);
    expect(fs.readdirSync(path.join(state, "rootimg/writes"))).toEqual(["0123456789ab.json"]);
    expect(fs.readdirSync(state).sort()).toEqual([".spare", "published-checked.json", "rootimg", "versions"]);
  });
});

describe("sweepTreeTemps", () => {
  it("removes the temp files of interrupted writes anywhere inside the tree (walked once), and the xcatinfo stamp's at every start", () => {
    const dir = path.join(tmp, "image");
    const tree = path.join(dir, "rootimg");
    const put = (rel: string, at = tree) => {
      fs.mkdirSync(path.dirname(path.join(at, rel)), { recursive: true });
      fs.writeFileSync(path.join(at, rel), "partial");
    };
    const temps = [
      ".rootimg-write-00112233aabb",
      "etc/.big.conf.rootimg-0123456789ab",
      "usr/share/doc/pkg/.README.rootimg-a1b2c3d4e5f6",
      "opt/xcat/xcatinfo.tmp-4250",
    ];
    const kept = [".bashrc", "etc/.motd.rootimg-notes", "etc/big.conf", "opt/xcat/xcatinfo", "var/.x.rootimg-0123456789ab/inside"];
    for (const f of [...temps, ...kept]) put(f);
    // a mount inside the tree (a chroot's bind mount left by a killed command) is not entered
    const outside = path.join(tmp, "outside");
    put(".host.rootimg-0123456789ab", outside);
    fs.mkdirSync(path.join(tree, "mnt"));
    const mount = spawnSync("mount", ["--bind", outside, path.join(tree, "mnt")], { encoding: "utf8" });
    expect(mount.status, mount.stderr).toBe(0);
    try {
      expect(sweepTreeTemps(dir, true).sort()).toEqual([...temps].sort());
      for (const f of kept) expect(fs.existsSync(path.join(tree, f)), f).toBe(true);
      expect(fs.readdirSync(outside)).toEqual([".host.rootimg-0123456789ab"]);
    } finally {
      spawnSync("umount", [path.join(tree, "mnt")]);
    }
    // the walk is done once per tree; the stamp's one place is looked at every time
    put("etc/.later.rootimg-0123456789ab");
    put("opt/xcat/xcatinfo.tmp-4251");
    expect(sweepTreeTemps(dir, true)).toEqual(["opt/xcat/xcatinfo.tmp-4251"]);
    expect(fs.existsSync(path.join(tree, "etc/.later.rootimg-0123456789ab"))).toBe(true);
    expect(sweepTreeTemps(path.join(tmp, "no-such-image"), true)).toEqual([]);
  });
});

function isAlive(f: string): boolean {
  try {
    process.kill(Number(/tmp-(\d+)$/.exec(f)![1]), 0);
    return true;
  } catch {
    return false;
  }
}
