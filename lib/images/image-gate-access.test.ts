/**
 * The gate is the only way to touch an image's tree or archive: its state (the in-process holders map and the
 * ImageHold rows) and xCAT's image lock are used by the gate alone, and the job runner only through a hold.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const SKIP = new Set(["node_modules", "generated", ".next", "dist", "data", "test-results", "playwright-report"]);

/** Every .ts/.tsx/.mjs source file of the project but the tests, relative to the root. */
function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP.has(e.name) && !e.name.startsWith(".")) walk(rel);
      } else if (/\.(ts|tsx|mjs)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) out.push(rel);
    }
  };
  walk(".");
  return out.map((f) => path.normalize(f));
}

function filesMatching(re: RegExp): string[] {
  return sources()
    .filter((f) => re.test(readFileSync(path.join(root, f), "utf8")))
    .sort();
}

describe("who may touch the gate's state", () => {
  it("only the gate reads or writes the holders map and the persisted holds", () => {
    expect(filesMatching(/rootimgImageGate|\bimageHold\./)).toEqual(["lib/images/image-gate.ts"]);
  });

  it("only the gate takes xCAT's image lock", () => {
    expect(filesMatching(/\bacquireImageLock\b/)).toEqual(["lib/images/image-gate.ts", "lib/xcat/image-lock.ts"]);
  });

  it("only the gate and the job runner use a hold's lifecycle (ready, release, attachJob)", () => {
    expect(filesMatching(/\bhold\??\.(ready|release|attachJob|withoutXcatLock)\(/)).toEqual([
      "lib/images/image-gate.ts",
      "lib/jobs/start-job.ts",
    ]);
  });

  it("the mechanisms the gate replaces are gone", () => {
    expect(filesMatching(/\bheldKeys\b|\bbeginTreeWrite\b|\bassertNoTreeWrites\b|\bimageJobKey\b|no await before/)).toEqual([]);
  });
});
