/**
 * The xCAT backend: calls xCAT's own commands under $XCATROOT (default /opt/xcat) with argument arrays
 * and parses their real output (real outputs in test/fake-xcat/xcat-transcripts*.md). xCAT stays the owner of its tables and files.
 */
import fs from "node:fs";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { importedImageName, readBundle } from "./bundle/read-bundle";
import { type CommandStream, DEFAULT_INSTALLDIR, type ImageBackend, type OsImage, toOsImage } from "./image-backend";
import { type PackimageSettings, synclistFiles } from "./packimage-steps";
import { parseImgexportOutput, parseImgimportOutput, parsePackimageOutput } from "./parse-image-commands";
import { isNotFoundMessage, parseObjectList, parseObjectStanzas, parseXcatMessages } from "./parse-lsdef";
import { parseTabdump } from "./parse-tabdump";
import { type CommandResult, runCommand } from "./run-command";

export function xcatRoot(): string {
  return process.env.XCATROOT || "/opt/xcat";
}

export function xcatInstalled(root = xcatRoot()): boolean {
  return fs.existsSync(path.join(root, "bin", "lsdef"));
}

/** Turns a failed xCAT command into an AppError carrying xCAT's own message. */
function failure(r: CommandResult): AppError {
  const msgs = parseXcatMessages(r.stderr);
  const text = msgs.errors.join("; ") || r.stderr.trim() || r.stdout.trim() || `exit code ${r.code}`;
  const notFound = msgs.errors.some(isNotFoundMessage);
  return new AppError(notFound ? "not_found" : "unavailable", `${path.basename(r.cmd)} failed: ${text}`, {
    details: { command: [r.cmd, ...r.args].join(" "), exitCode: r.code, stderr: r.stderr },
  });
}

/** xCAT's site table is shown as one object of type site with this name. */
export const SITE_OBJECT = "clustersite";
const SITE_TTL_MS = 60_000;

export class XcatBackend implements ImageBackend {
  readonly kind = "xcat" as const;
  private site?: { installdir: string; at: number };
  constructor(
    private readonly root = xcatRoot(),
    private readonly tmpDir = "/tmp",
  ) {}

  /**
   * site.installdir as xCAT reads it (`lsdef -t site -o clustersite -i installdir`; unset or empty means
   * /install, TableUtils.pm getInstallDir). Cached a minute: it changes rarely and each lsdef costs ~0.3 s.
   */
  async installdir(): Promise<string> {
    if (this.site && Date.now() - this.site.at < SITE_TTL_MS) return this.site.installdir;
    const r = await this.run("bin/lsdef", ["-t", "site", "-o", SITE_OBJECT, "-i", "installdir"]);
    if (r.code !== 0) throw failure(r);
    const value = parseObjectStanzas(r.stdout).find((o) => o.name === SITE_OBJECT)?.attrs.installdir;
    this.site = { installdir: value || DEFAULT_INSTALLDIR, at: Date.now() };
    return this.site.installdir;
  }

  /** Only images without linuximage.rootimgdir need site.installdir: no lsdef of the site otherwise. */
  private async toImages(objs: { name: string; attrs: Record<string, string> }[]): Promise<OsImage[]> {
    const installdir = objs.some((o) => !o.attrs.rootimgdir) ? await this.installdir() : DEFAULT_INSTALLDIR;
    return objs.map((o) => toOsImage(o.name, o.attrs, installdir));
  }

  private run(rel: string, args: string[], extra: CommandStream & { cwd?: string } = {}) {
    return runCommand({ cmd: path.join(this.root, rel), args, cwd: extra.cwd, signal: extra.signal, onLine: extra.onLine });
  }

  async listImages(): Promise<OsImage[]> {
    const names = await this.run("bin/lsdef", ["-t", "osimage"]);
    if (names.code !== 0) throw failure(names);
    if (parseObjectList(names.stdout).length === 0) return [];
    const long = await this.run("bin/lsdef", ["-t", "osimage", "-l"]);
    if (long.code !== 0) throw failure(long);
    return this.toImages(parseObjectStanzas(long.stdout));
  }

  async getImage(name: string): Promise<OsImage> {
    const r = await this.run("bin/lsdef", ["-t", "osimage", "-o", name]);
    if (r.code !== 0) throw failure(r);
    const obj = parseObjectStanzas(r.stdout).find((o) => o.name === name);
    if (!obj) throw new AppError("not_found", `osimage ${name} not found in xCAT`);
    return (await this.toImages([obj]))[0];
  }

  private async exists(name: string): Promise<boolean> {
    const r = await this.run("bin/lsdef", ["-t", "osimage", "-o", name]);
    if (r.code === 0) return true;
    if (parseXcatMessages(r.stderr).errors.some(isNotFoundMessage)) return false;
    throw failure(r);
  }

  async importBundle(opts: { bundlePath: string; profile?: string } & CommandStream) {
    // imgimport moves files to the absolute paths the manifest names, as root, and silently replaces an
    // existing image (*.ORIG): read the bundle ourselves first and refuse what could do harm.
    const bundle = await readBundle({ bundlePath: opts.bundlePath, tmpParent: this.tmpDir, signal: opts.signal });
    let name: string;
    try {
      name = importedImageName(bundle.manifest, opts.profile);
      const m = bundle.manifest;
      const dir = m.linuximage.rootimgdir;
      for (const f of [m.kernel, m.ramdisk, m.rootimg].filter(Boolean) as string[])
        if (!dir || path.dirname(f) !== dir || !path.isAbsolute(dir) || dir.split("/").includes(".."))
          throw new AppError("unprocessable", `image bundle refused: manifest.xml places ${f} outside the image's rootimgdir`);
      // Profile files (pkglist, exlist, ...) are copied to their absolute paths too: only xCAT's own places.
      // site.installdir too, read only when a path needs it (most bundles stay under /install).
      const allowed = ["/install/", `${this.root}/share/xcat/`, "/opt/xcat/share/xcat/"];
      for (const k of ["template", "pkglist", "otherpkglist", "postinstall", "exlist", "synclists"])
        for (const f of (m.linuximage[k] ?? m.osimage[k] ?? "").split(",").filter(Boolean)) {
          if (!allowed.some((a) => f.startsWith(a))) allowed.push(`${(await this.installdir()).replace(/\/+$/, "")}/`);
          if (!allowed.some((a) => f.startsWith(a)) || f.split("/").includes(".."))
            throw new AppError(
              "unprocessable",
              `image bundle refused: manifest.xml ${k} ${f} is outside xCAT's installdir (${allowed.at(-1)}) and share directory`,
            );
        }
    } finally {
      bundle.dispose();
    }
    if (await this.exists(name))
      throw new AppError("conflict", `osimage ${name} already exists; delete it or import under another profile`);
    const args = [path.resolve(opts.bundlePath), ...(opts.profile ? ["-f", opts.profile] : [])];
    const r = await this.run("bin/imgimport", args, { ...opts, cwd: path.dirname(path.resolve(opts.bundlePath)) });
    if (r.code !== 0) throw failure(r);
    const out = parseImgimportOutput(r.stdout);
    return { imagename: out.image ?? name, files: out.files, log: r.stdout.split("\n").filter(Boolean) };
  }

  async exportBundle(opts: { name: string; destDir: string } & CommandStream) {
    // imgexport ignores a destination path (without -R) and writes <image>.tgz into its cwd.
    const r = await this.run("bin/imgexport", [opts.name], { ...opts, cwd: opts.destDir });
    if (r.code !== 0) throw failure(r);
    const out = parseImgexportOutput(r.stdout);
    if (!out.done) throw new AppError("unavailable", `imgexport did not finish: ${r.stdout.trim().split("\n").pop()}`);
    return { path: path.join(opts.destDir, `${opts.name}.tgz`) };
  }

  /**
   * What packimage reads for its tree changes, read fresh for each pack: site.installdir, timezone and secureroot
   * (`lsdef -t site -i`, which leaves unset ones out), root's row of the passwd table (`tabdump passwd`), and the
   * image's synclists.
   */
  async packimageSettings(image: OsImage): Promise<PackimageSettings> {
    const site = await this.run("bin/lsdef", ["-t", "site", "-o", SITE_OBJECT, "-i", "installdir,timezone,secureroot"]);
    if (site.code !== 0) throw failure(site);
    const attrs = parseObjectStanzas(site.stdout).find((o) => o.name === SITE_OBJECT)?.attrs ?? {};
    const passwd = await this.run("sbin/tabdump", ["passwd"]);
    if (passwd.code !== 0) throw failure(passwd);
    const root = parseTabdump(passwd.stdout).find(
      (r) => r.key === "system" && r.username === "root" && r.disable !== "1" && r.disable !== "yes",
    );
    const installdir = attrs.installdir || DEFAULT_INSTALLDIR;
    return {
      installdir,
      timezone: attrs.timezone || undefined,
      secureroot: attrs.secureroot === "1",
      rootPassword: root?.password !== undefined ? { password: root.password, cryptmethod: root.cryptmethod } : null,
      synclists: synclistFiles(image.attrs, installdir),
    };
  }

  async packWithXcat(opts: { name: string } & CommandStream) {
    const r = await this.run("sbin/packimage", [opts.name], opts);
    if (r.code !== 0) throw failure(r);
    const out = parsePackimageOutput(r.stdout);
    return { method: out.method, compress: out.compress, warnings: parseXcatMessages(r.stderr).warnings };
  }
}
