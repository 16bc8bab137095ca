import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const cache = new Map<string, Promise<string | null>>();

/**
 * Whether overlayfs can be mounted with its upper layer in `scratchParent` (beside a tree): tried once per
 * directory, in a throw-away mount namespace. Resolves null when usable, else why not. ROOTIMG_OVERLAY=0
 * turns overlays off (runs then go straight into the tree with a before/after comparison).
 */
export function overlayUnusableReason(scratchParent: string): Promise<string | null> {
  if (process.env.ROOTIMG_OVERLAY === "0") return Promise.resolve("overlays are turned off (ROOTIMG_OVERLAY=0)");
  let p = cache.get(scratchParent);
  if (!p) {
    p = probe(scratchParent);
    cache.set(scratchParent, p);
  }
  return p;
}

async function probe(parent: string): Promise<string | null> {
  fs.mkdirSync(parent, { recursive: true, mode: 0o700 });
  const dir = fs.mkdtempSync(path.join(parent, "overlay-probe-"));
  try {
    for (const d of ["lower", "upper", "work", "merged"]) fs.mkdirSync(path.join(dir, d));
    const opts = `lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work,redirect_dir=off,metacopy=off,index=off,xino=off`;
    await run("unshare", [
      "--mount",
      "--propagation",
      "private",
      "--",
      "mount",
      "-t",
      "overlay",
      "rootimg-probe",
      "-o",
      opts,
      path.join(dir, "merged"),
    ]);
    return null;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return `overlayfs cannot be mounted here (${(err.stderr || err.message).trim().split("\n").pop()})`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
