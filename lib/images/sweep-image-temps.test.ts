import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sweepStateTemps } from "./sweep-image-temps";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sweep-state-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("sweepStateTemps", () => {
  it("removes half-written manifest, pack-cache and version-manifest temps, and keeps the real state and the writes journal", () => {
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
        ".rootimg-studio/relink.tmp-4245",
        ".rootimg-studio/rootimg/manifest.json.tmp-4242",
        ".rootimg-studio/rootimg/pack-cache.json.tmp-4243",
        ".rootimg-studio/versions/manifest-4.json.tmp-4244",
      ].filter((f) => !isAlive(f)),
    );
    sweepStateTemps(tmp, true);
    expect(fs.readdirSync(path.join(state, "rootimg")).sort()).toEqual(["manifest.json", "writes"]);
    expect(fs.readdirSync(path.join(state, "versions")).sort()).toEqual(["3-rootimg.cpio.gz", "manifest-3.json"]);
    expect(fs.readdirSync(path.join(state, "rootimg/writes"))).toEqual(["0123456789ab.json"]);
    expect(fs.readdirSync(state).sort()).toEqual(["published-checked.json", "rootimg", "versions"]);
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
