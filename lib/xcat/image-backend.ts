/**
 * One interface over the two places osimages live: xCAT's tables (through its CLI) or Rootimg Studio's
 * own registry (local backend). Attributes keep xCAT's names so pages and the bundle format are the same.
 */
export type OsImage = {
  imagename: string;
  osvers: string;
  osarch: string;
  profile: string;
  provmethod: string;
  /** where rootimg/, kernel and rootimg.cpio.gz live */
  rootimgdir: string;
  exlist?: string;
  /** every attribute as xCAT names it (includes the fields above) */
  attrs: Record<string, string>;
};

export type CommandStream = { signal?: AbortSignal; onLine?: (line: string, stream: "stdout" | "stderr") => void };

export type ImportResult = { imagename: string; files: string[]; log: string[] };

export interface ImageBackend {
  readonly kind: "xcat" | "local";
  listImages(): Promise<OsImage[]>;
  /** throws AppError not_found */
  getImage(name: string): Promise<OsImage>;
  /** imports a bundle; refuses (conflict) an image that already exists */
  importBundle(opts: { bundlePath: string; profile?: string } & CommandStream): Promise<ImportResult>;
  /** writes `<destDir>/<imagename>.tgz` */
  exportBundle(opts: { name: string; destDir: string } & CommandStream): Promise<{ path: string }>;
  /** xCAT backend only: runs packimage, streaming its output */
  packWithXcat?(opts: { name: string } & CommandStream): Promise<{ method?: string; compress?: string; warnings: string[] }>;
  /** xCAT backend only: what packimage reads for the tree changes it makes (site, passwd table, synclists) */
  packimageSettings?(image: OsImage): Promise<import("./packimage-steps").PackimageSettings>;
  /** local backend only: removes the registry entry and the image directory */
  deleteImage?(name: string): Promise<void>;
}

/** xCAT's installdir when site.installdir is unset or empty (TableUtils.pm getInstallDir). */
export const DEFAULT_INSTALLDIR = "/install";

/** xCAT's default when linuximage.rootimgdir is unset: `<site.installdir>/netboot/<osvers>/<osarch>/<profile>` (packimage.pm, genimage). */
export function defaultRootimgdir(a: { osvers: string; osarch: string; profile: string }, installdir = DEFAULT_INSTALLDIR): string {
  return `${installdir.replace(/\/+$/, "") || "/"}/netboot/${a.osvers}/${a.osarch}/${a.profile}`;
}

/** `installdir`: site.installdir as xCAT reads it; only used when the image has no rootimgdir. */
export function toOsImage(name: string, attrs: Record<string, string>, installdir = DEFAULT_INSTALLDIR): OsImage {
  const osvers = attrs.osvers ?? "";
  const osarch = attrs.osarch ?? "";
  const profile = attrs.profile ?? "";
  return {
    imagename: name,
    osvers,
    osarch,
    profile,
    provmethod: attrs.provmethod ?? "",
    rootimgdir: attrs.rootimgdir || defaultRootimgdir({ osvers, osarch, profile }, installdir),
    exlist: attrs.exlist || undefined,
    attrs: { imagename: name, ...attrs },
  };
}
