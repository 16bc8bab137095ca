/**
 * Opens an image bundle: extracts it safely into a fresh temp directory and parses its manifest.xml.
 * The caller moves the files it wants and removes `workDir` (also on error: see `dispose`).
 */
import fs from "node:fs";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { type ExtractedEntry, extractBundle } from "./extract-bundle";
import { type BundleManifest, parseManifest } from "./manifest-xml";

export type OpenedBundle = {
  workDir: string;
  /** `<workDir>/<top dir>`: where manifest.xml and the image files are */
  imageDir: string;
  manifest: BundleManifest;
  entries: ExtractedEntry[];
  dispose: () => void;
};

export async function readBundle(opts: { bundlePath: string; tmpParent: string; signal?: AbortSignal }): Promise<OpenedBundle> {
  if (!fs.existsSync(opts.bundlePath)) throw new AppError("not_found", `bundle ${opts.bundlePath} does not exist`);
  fs.mkdirSync(opts.tmpParent, { recursive: true });
  const workDir = path.join(opts.tmpParent, `imgimport.${process.pid}.${Math.random().toString(36).slice(2, 8)}`);
  const dispose = () => fs.rmSync(workDir, { recursive: true, force: true });
  try {
    const entries = await extractBundle({ bundlePath: opts.bundlePath, destDir: workDir, signal: opts.signal });
    const tops = [...new Set(entries.map((e) => e.name.split("/")[0]))];
    const withManifest = tops.filter((t) => entries.some((e) => e.name === `${t}/manifest.xml` && e.type === "file"));
    if (withManifest.length === 0)
      throw new AppError("unprocessable", "image bundle refused: Failed to find manifest.xml file in image bundle");
    if (withManifest.length > 1)
      throw new AppError("unprocessable", `image bundle refused: it holds ${withManifest.length} images; import them one at a time`);
    const imageDir = path.join(workDir, withManifest[0]);
    let manifest: BundleManifest;
    try {
      manifest = parseManifest(fs.readFileSync(path.join(imageDir, "manifest.xml"), "utf8"));
    } catch (e) {
      throw new AppError("unprocessable", `image bundle refused: manifest.xml is not valid (${(e as Error).message})`);
    }
    const o = manifest.osimage;
    const missing = ["imagename", "osvers", "osarch", "profile", "provmethod"].filter((k) => !o[k]);
    if (missing.length) throw new AppError("unprocessable", `image bundle refused: manifest.xml lacks osimage ${missing.join(", ")}`);
    return { workDir, imageDir, manifest, entries, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

/** The image name xCAT's `imgimport -f PROFILE` gives (transcript 23): `<osvers>-<osarch>-<provmethod>-<profile>`. */
export function importedImageName(m: BundleManifest, profile?: string): string {
  if (!profile) return m.osimage.imagename;
  return `${m.osimage.osvers}-${m.osimage.osarch}-${m.osimage.provmethod}-${profile}`;
}
