/**
 * The manifest of a bundle exported by the local backend, in the form xCAT's own imgexport writes, so that real
 * `imgimport` accepts it and puts its files where xCAT keeps them (docs/xcat-bundles.md):
 * - paths under xCAT's install directory, never the product's data directory: rootimgdir
 *   `/install/netboot/<osvers>/<osarch>/<profile>` with kernel, ramdisk and rootimg in it, profile files
 *   (pkglist, exlist, ...) in `/install/custom/netboot/<platform>/`, where imgimport -f puts renamed ones too;
 * - every osimage column under `<osimage>`, every linuximage column under `<linuximage>` (its `comments` is what
 *   lsdef calls usercomment);
 * - a `<ramdisk>`: imgimport refuses a netboot bundle without one.
 * Imports read files by basename from the bundle, so the same bundle also moves back to a local backend.
 */
import path from "node:path";
import { DEFAULT_INSTALLDIR, type OsImage } from "../image-backend";

/** linuximage columns (xCAT Schema.pm); `comments` there is the object's usercomment. */
export const LINUXIMAGE_COLUMNS = new Set([
  "imagename",
  "template",
  "boottarget",
  "addkcmdline",
  "pkglist",
  "pkgdir",
  "otherpkglist",
  "otherpkgdir",
  "exlist",
  "postinstall",
  "rootimgdir",
  "kerneldir",
  "nodebootif",
  "otherifce",
  "netdrivers",
  "kernelver",
  "krpmver",
  "permission",
  "dump",
  "crashkernelsize",
  "partitionfile",
  "driverupdatesrc",
  "comments",
  "disable",
]);

/** linuximage attributes naming files that travel in the bundle (imgport.pm exports and imports these). */
export const PROFILE_FILE_ATTRS = ["template", "pkglist", "otherpkglist", "postinstall", "exlist"] as const;

/** xCAT's platform directory for an OS version (SvrUtils getsynclistfile, imgimport -f). */
export function platformOf(osvers: string): string {
  const table: [RegExp, string][] = [
    [/^rh/, "rh"],
    [/^centos/, "centos"],
    [/^alma/, "alma"],
    [/^rocky/, "rocky"],
    [/^fedora/, "fedora"],
    [/^sles/, "sles"],
    [/^SL/, "SL"],
    [/^ubuntu/, "ubuntu"],
    [/^debian/, "debian"],
  ];
  return table.find(([re]) => re.test(osvers))?.[1] ?? "";
}

export type ExportFiles = {
  kernel?: string;
  ramdisk?: string;
  rootimg: string;
  profileFiles: Partial<Record<(typeof PROFILE_FILE_ATTRS)[number], string[]>>;
};

export type XcatStyleManifest = {
  osimage: Record<string, string>;
  linuximage: Record<string, string>;
  kernel?: string;
  ramdisk?: string;
  rootimg: string;
};

/** `files`: where the files are on this machine (only their basenames reach the manifest). */
export function xcatStyleManifest(img: OsImage, files: ExportFiles, installdir = DEFAULT_INSTALLDIR): XcatStyleManifest {
  const osimage: Record<string, string> = { imagename: img.imagename, imagetype: "linux", osname: "Linux" };
  const linuximage: Record<string, string> = { imagename: img.imagename };
  for (const [k, v] of Object.entries(img.attrs)) {
    if (k === "imagename" || v === "") continue;
    if (k === "usercomment" || k === "comments") linuximage.comments = v;
    else (LINUXIMAGE_COLUMNS.has(k) ? linuximage : osimage)[k] = v;
  }
  const base = installdir.replace(/\/+$/, "");
  const rootimgdir = `${base}/netboot/${img.osvers}/${img.osarch}/${img.profile}`;
  linuximage.rootimgdir = rootimgdir;
  const custom = `${base}/custom/netboot${platformOf(img.osvers) ? `/${platformOf(img.osvers)}` : ""}`;
  for (const k of PROFILE_FILE_ATTRS) {
    const list = files.profileFiles[k] ?? [];
    if (list.length) linuximage[k] = list.map((f) => `${custom}/${path.basename(f)}`).join(",");
    else delete linuximage[k];
  }
  const inDir = (f?: string) => (f ? `${rootimgdir}/${path.basename(f)}` : undefined);
  return { osimage, linuximage, kernel: inDir(files.kernel), ramdisk: inDir(files.ramdisk), rootimg: inDir(files.rootimg)! };
}
