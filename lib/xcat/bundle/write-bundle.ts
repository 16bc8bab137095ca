/**
 * Writes an image bundle in xCAT's layout (`./<imagename>/manifest.xml` + files, `tar czf <dest> .`),
 * to a temp file next to the destination that is renamed into place only when complete.
 */
import fs from "node:fs";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { runCommand } from "../run-command";
import { buildManifest } from "./manifest-xml";

export type WriteBundleOptions = {
  destPath: string;
  imagename: string;
  osimage: Record<string, string>;
  linuximage: Record<string, string>;
  /** files to include, by their absolute path on this machine; recorded in manifest as kernel/ramdisk/rootimg */
  kernel?: string;
  ramdisk?: string;
  rootimg?: string;
  extraFiles?: string[];
  /** what manifest.xml records for kernel/ramdisk/rootimg, when not the files' paths on this machine */
  manifestPaths?: { kernel?: string; ramdisk?: string; rootimg?: string };
  signal?: AbortSignal;
  onLine?: (line: string) => void;
};

export async function writeBundle(opts: WriteBundleOptions): Promise<{ path: string; size: number }> {
  const destDir = path.dirname(opts.destPath);
  const stage = fs.mkdtempSync(path.join(destDir, `.imgexport.${process.pid}.`));
  const tmpOut = `${opts.destPath}.part-${process.pid}`;
  try {
    const dir = path.join(stage, opts.imagename);
    fs.mkdirSync(dir);
    const files = [opts.kernel, opts.ramdisk, opts.rootimg, ...(opts.extraFiles ?? [])].filter((f): f is string => !!f);
    for (const f of files) {
      opts.onLine?.(f);
      // Hard link when possible (same filesystem): exporting a 1 GB archive should not copy it twice.
      const to = path.join(dir, path.basename(f));
      try {
        fs.linkSync(f, to);
      } catch {
        fs.copyFileSync(f, to);
      }
    }
    fs.writeFileSync(path.join(dir, "manifest.xml"), buildManifest({ ...opts, ...opts.manifestPaths }));
    opts.onLine?.(`Compressing ${opts.imagename} bundle.  Please be patient.`);
    const r = await runCommand({ cmd: "tar", args: ["czf", tmpOut, "."], cwd: stage, signal: opts.signal });
    if (r.code !== 0) throw new AppError("unavailable", `Failed to compress archive!  (Maybe there was no space left?) ${r.stderr.trim()}`);
    fs.renameSync(tmpOut, opts.destPath);
    return { path: opts.destPath, size: fs.statSync(opts.destPath).size };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
    fs.rmSync(tmpOut, { force: true });
  }
}
