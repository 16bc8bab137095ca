/**
 * The local backend (where xCAT is absent): Rootimg Studio's own osimage registry (Prisma `Image`, xCAT's
 * attribute names) and image directories `<imagesDir>/<name>/` in xCAT's layout (rootimg/, kernel,
 * initrd-stateless.gz, rootimg.cpio.gz). Reads and writes the same bundle format as imgimport/imgexport.
 */
import fs from "node:fs";
import path from "node:path";
import { prisma } from "@/lib/db/client";
import type { Image } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";
import { importedImageName, readBundle } from "./bundle/read-bundle";
import { writeBundle } from "./bundle/write-bundle";
import { PROFILE_FILE_ATTRS, xcatStyleManifest } from "./bundle/xcat-bundle-paths";
import { type CommandStream, type ImageBackend, type ImportResult, type OsImage, toOsImage } from "./image-backend";
import { isValidImageName } from "./image-name";
import { findPackedArchive } from "./packed-archive";

const COLUMNS = [
  "imagetype",
  "provmethod",
  "osname",
  "osvers",
  "osarch",
  "profile",
  "rootimgdir",
  "exlist",
  "kernelver",
  "description",
] as const;

export function assertImageName(name: string): void {
  if (!isValidImageName(name))
    throw new AppError("unprocessable", `invalid image name ${JSON.stringify(name)}: use letters, digits, '.', '_', '+' and '-' (no '..')`);
}

function rowToImage(r: Image): OsImage {
  const extra = r.attrs ? (JSON.parse(r.attrs) as Record<string, string>) : {};
  const attrs: Record<string, string> = { ...extra };
  for (const c of COLUMNS) if (r[c] != null && r[c] !== "") attrs[c] = String(r[c]);
  return toOsImage(r.imagename, attrs);
}

export type RegisterImageInput = {
  imagename: string;
  osvers: string;
  osarch: string;
  profile: string;
  provmethod?: string;
  rootimgdir: string;
  exlist?: string;
  description?: string;
  attrs?: Record<string, string>;
};

export class LocalBackend implements ImageBackend {
  readonly kind = "local" as const;
  /** `installdir`: the xCAT install directory exported bundles name (xCAT's default; tests use a temp one). */
  constructor(
    private readonly imagesDir: string,
    private readonly opts: { installdir?: string } = {},
  ) {}

  imageDir(name: string): string {
    assertImageName(name);
    return path.join(this.imagesDir, name);
  }

  async listImages(): Promise<OsImage[]> {
    const rows = await prisma.image.findMany({ orderBy: { imagename: "asc" } });
    return rows.map(rowToImage);
  }

  async getImage(name: string): Promise<OsImage> {
    const r = await prisma.image.findUnique({ where: { imagename: name } });
    if (!r) throw new AppError("not_found", `osimage ${name} not found`);
    return rowToImage(r);
  }

  async registerImage(input: RegisterImageInput): Promise<OsImage> {
    assertImageName(input.imagename);
    const { attrs, ...cols } = input;
    const r = await prisma.image.create({
      data: { ...cols, provmethod: cols.provmethod ?? "netboot", attrs: attrs ? JSON.stringify(attrs) : null },
    });
    return rowToImage(r);
  }

  async importBundle(opts: { bundlePath: string; profile?: string } & CommandStream): Promise<ImportResult> {
    const log: string[] = [];
    const say = (l: string) => {
      log.push(l);
      opts.onLine?.(l, "stdout");
    };
    fs.mkdirSync(this.imagesDir, { recursive: true });
    say("Unbundling image...");
    const bundle = await readBundle({ bundlePath: opts.bundlePath, tmpParent: path.join(this.imagesDir, ".tmp"), signal: opts.signal });
    try {
      const m = bundle.manifest;
      const name = importedImageName(m, opts.profile);
      assertImageName(name);
      const dest = this.imageDir(name);
      if ((await prisma.image.findUnique({ where: { imagename: name } })) || fs.existsSync(dest))
        throw new AppError("conflict", `osimage ${name} already exists; delete it first or import with another profile`);
      // Only the files the manifest names, by basename, from the bundle's own directory: never its absolute paths.
      const files: string[] = [];
      const take = (src: string | undefined, as?: string) => {
        if (!src) return;
        const from = path.join(bundle.imageDir, path.basename(src));
        if (!fs.existsSync(from))
          throw new AppError("unprocessable", `image bundle refused: ${path.basename(src)} named in manifest.xml is missing`);
        const to = path.join(bundle.imageDir, ".import", as ?? path.basename(src));
        fs.renameSync(from, to);
        files.push(path.join(dest, as ?? path.basename(src)));
        say(path.join(dest, as ?? path.basename(src)));
      };
      fs.mkdirSync(path.join(bundle.imageDir, ".import"));
      take(m.kernel, "kernel");
      take(m.ramdisk);
      take(m.rootimg);
      // Profile files (pkglist, exlist, ...) live in the image's directory here; a name the bundle lacks is dropped.
      const profile: Record<string, string> = {};
      for (const k of PROFILE_FILE_ATTRS) {
        const list = (m.linuximage[k] ?? "").split(",").filter((f) => f && fs.existsSync(path.join(bundle.imageDir, path.basename(f))));
        for (const f of list) take(f);
        if (list.length) profile[k] = list.map((f) => path.join(dest, path.basename(f))).join(",");
      }
      fs.renameSync(path.join(bundle.imageDir, ".import"), dest);
      const { comments: osComments, ...osimage } = m.osimage;
      const { comments, ...linuximage } = m.linuximage;
      const attrs: Record<string, string> = { ...osimage, ...linuximage };
      for (const k of PROFILE_FILE_ATTRS) delete attrs[k];
      Object.assign(attrs, profile);
      // linuximage.comments is the object's usercomment in xCAT's naming (lsdef, chdef).
      if (comments || osComments) attrs.usercomment = comments || osComments;
      delete attrs.imagename;
      try {
        await this.registerImage({
          imagename: name,
          osvers: attrs.osvers,
          osarch: attrs.osarch,
          profile: opts.profile ?? attrs.profile,
          provmethod: attrs.provmethod,
          rootimgdir: dest,
          exlist: profile.exlist,
          description: attrs.description,
          attrs: Object.fromEntries(Object.entries(attrs).filter(([k]) => !(COLUMNS as readonly string[]).includes(k) && k !== "disable")),
        });
      } catch (e) {
        fs.rmSync(dest, { recursive: true, force: true });
        throw e;
      }
      say(`Successfully imported the image ${name}.`);
      return { imagename: name, files, log };
    } finally {
      bundle.dispose();
    }
  }

  async exportBundle(opts: { name: string; destDir: string } & CommandStream) {
    const img = await this.getImage(opts.name);
    const packed = findPackedArchive(img.rootimgdir);
    if (!packed) throw new AppError("conflict", `Couldn't find compressed rootimg for ${opts.name}: pack it first`);
    const kernel = path.join(img.rootimgdir, "kernel");
    const ramdisk = path.join(img.rootimgdir, "initrd-stateless.gz");
    if (!fs.existsSync(ramdisk))
      throw new AppError(
        "conflict",
        `${opts.name} has no initrd-stateless.gz in ${img.rootimgdir}: xCAT's imgimport refuses a netboot bundle without a ramdisk`,
      );
    const profileFiles = Object.fromEntries(
      PROFILE_FILE_ATTRS.map((k) => [k, (img.attrs[k] ?? "").split(",").filter((f) => f && fs.existsSync(f))]),
    );
    const files = { kernel: fs.existsSync(kernel) ? kernel : undefined, ramdisk, rootimg: packed, profileFiles };
    const m = xcatStyleManifest(img, files, this.opts.installdir);
    const dest = path.join(opts.destDir, `${img.imagename}.tgz`);
    opts.onLine?.(`Exporting ${img.imagename} to ${opts.destDir}...`, "stdout");
    await writeBundle({
      destPath: dest,
      imagename: img.imagename,
      osimage: m.osimage,
      linuximage: m.linuximage,
      ...files,
      manifestPaths: { kernel: m.kernel, ramdisk: m.ramdisk, rootimg: m.rootimg },
      extraFiles: Object.values(profileFiles).flat(),
      signal: opts.signal,
      onLine: (l) => opts.onLine?.(l, "stdout"),
    });
    opts.onLine?.("Done!", "stdout");
    return { path: dest };
  }

  async deleteImage(name: string): Promise<void> {
    const img = await this.getImage(name);
    await prisma.$transaction([
      prisma.image.delete({ where: { imagename: name } }),
      prisma.imageVersion.deleteMany({ where: { image: name } }),
      prisma.workspace.deleteMany({ where: { image: name } }),
    ]);
    // Only directories we created under the images dir are removed; a registry entry pointing elsewhere is left alone.
    if (path.dirname(path.resolve(img.rootimgdir)) === path.resolve(this.imagesDir))
      fs.rmSync(img.rootimgdir, { recursive: true, force: true });
  }
}
