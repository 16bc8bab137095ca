/**
 * What xCAT's packimage writes into the rootimg before archiving, as an overlay for the product's own pack: the
 * archive nodes receive gets the same files, the user's tree stays as they left it. The steps, their order and
 * their messages follow packimage.pm (docs/xcat-packimage.md lists each step and what the own pack does with it).
 */
import { spawn } from "node:child_process";
import { createHash, randomInt } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { resolveInTree } from "@/lib/archive/exlist";
import type { OverlayEntry, PackOverlay } from "@/lib/archive/pack-overlay";
import { stateDirFor } from "@/lib/archive/state-dir";
import { walkTree } from "@/lib/archive/walk-tree";
import { AppError } from "@/lib/errors";
import { platformOf } from "./bundle/xcat-bundle-paths";

/** Everything packimage reads from xCAT's tables and files for these steps. */
export type PackimageSettings = {
  installdir: string;
  /** site.timezone */
  timezone?: string;
  /** site.secureroot = 1: root gets `*` */
  secureroot?: boolean;
  /** passwd table, key=system username=root; null when xCAT has no such row */
  rootPassword: { password: string; cryptmethod?: string } | null;
  /** synclist files packimage applies with `xdcp -i` (osimage.synclists or the default custom synclist) */
  synclists: string[];
};

export type PackimageMessage = { level: "info" | "warning"; text: string };

/** packimage's fixed shadow fields after root's hash (PasswordUtils + packimage.pm). */
const SHADOW_TAIL = ":13880:0:99999:7:::";
const CRYPT_PREFIX: Record<string, string> = { md5: "1", sha256: "5", sha512: "6" };
const SALT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

export async function packimageOverlay(
  tree: string,
  s: PackimageSettings,
): Promise<{ overlay: PackOverlay; messages: PackimageMessage[] }> {
  const entries: OverlayEntry[] = [];
  const messages: PackimageMessage[] = [];
  const postscripts = path.join(s.installdir, "postscripts");

  // 1. rm -rf rootimg/xcatpost; mkdir -p rootimg/xcatpost; cp -r <installdir>/postscripts/* rootimg/xcatpost/
  const why = `xCAT postscripts from ${postscripts} (packimage refreshes xcatpost/)`;
  entries.push({ path: "xcatpost", dir: true, mode: 0o755, reason: why });
  if (fs.existsSync(postscripts) && fs.statSync(postscripts).isDirectory())
    for (const e of (await walkTree(postscripts)).slice(1))
      entries.push({ path: `xcatpost/${e.rel}`, source: e.abs, uid: 0, gid: 0, reason: why });

  // 5. etc/localtime -> ../usr/share/zoneinfo/<tz>
  if (s.timezone) {
    entries.push({ path: "etc/localtime", target: `../usr/share/zoneinfo/${s.timezone}`, reason: `site.timezone ${s.timezone}` });
    if (!resolvesToFile(tree, `usr/share/zoneinfo/${s.timezone}`))
      messages.push({ level: "warning", text: `Unable to set timezone to '${s.timezone}', check this is a valid timezone` });
  } else messages.push({ level: "info", text: "No timezone defined in site table, skipping timezone /etc/localtime configuration" });

  // 7. copybootscript: <installdir>/postscripts/xcatdsklspost -> opt/xcat/xcatdsklspost, 0755
  const dsklspost = path.join(postscripts, "xcatdsklspost");
  if (fs.existsSync(dsklspost))
    entries.push({
      path: "opt/xcat/xcatdsklspost",
      source: dsklspost,
      mode: 0o755,
      uid: 0,
      gid: 0,
      reason: `xCAT's diskless boot script from ${dsklspost}`,
    });
  else messages.push({ level: "warning", text: `Could not find the script ${dsklspost}.` });

  // 8. root's line of etc/shadow
  entries.push(await shadowEntry(tree, s));

  // 9. synclists (xdcp -i <rootimg> -F <synclist>)
  for (const file of s.synclists) {
    const r = await synclistEntries(file);
    entries.push(...r.entries);
    messages.push(...r.messages);
  }
  // Later steps win over earlier ones for the same path, as they overwrite each other in the tree.
  const byPath = new Map<string, OverlayEntry>();
  for (const e of entries) byPath.set(e.path, e);
  return { overlay: { replace: ["xcatpost"], entries: [...byPath.values()] }, messages };
}

function resolvesToFile(tree: string, rel: string): boolean {
  const real = resolveInTree(tree, rel);
  return !!real && fs.existsSync(path.join(tree, real));
}

/** root's hash as crypt_system_password gives it, `cluster` without a passwd row, `*` with site.secureroot. */
async function rootHash(tree: string, s: PackimageSettings): Promise<string> {
  if (s.secureroot) return "*";
  if (!s.rootPassword) return "cluster";
  const { password, cryptmethod } = s.rootPassword;
  if (/^\$[156]\$/.test(password)) return password;
  const prefix = CRYPT_PREFIX[cryptmethod || "sha256"];
  if (!prefix) throw new AppError("unprocessable", `passwd table: cryptmethod '${cryptmethod}' for root is not one of md5, sha256, sha512`);
  // packimage salts anew at each run; keeping the hash while the password is the same keeps the incremental
  // pack's member of etc/shadow (and what nodes receive) unchanged between packs.
  const memo = path.join(stateDirFor(tree), "packimage-root-hash.json");
  const key = createHash("sha256").update(`${prefix}\0${password}`).digest("hex");
  try {
    const m = JSON.parse(fs.readFileSync(memo, "utf8")) as { key: string; hash: string };
    if (m.key === key) return m.hash;
  } catch {}
  const salt = Array.from({ length: 8 }, () => SALT_CHARS[randomInt(SALT_CHARS.length)]).join("");
  const hash = await opensslPasswd(prefix, salt, password);
  fs.mkdirSync(path.dirname(memo), { recursive: true, mode: 0o700 });
  fs.writeFileSync(`${memo}.tmp`, JSON.stringify({ key, hash }), { mode: 0o600 });
  fs.renameSync(`${memo}.tmp`, memo);
  return hash;
}

/** crypt(3) of glibc through `openssl passwd` (-1 md5, -5 sha256, -6 sha512); the password goes on stdin. */
function opensslPasswd(prefix: string, salt: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("openssl", ["passwd", `-${prefix}`, "-salt", salt, "-stdin"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", (e) => reject(new AppError("unavailable", `cannot run openssl to hash root's password: ${e.message}`)));
    child.on("close", (code) =>
      code === 0 && out.startsWith(`$${prefix}$`)
        ? resolve(out.trim())
        : reject(new AppError("unavailable", `openssl passwd failed (${code}): ${err.trim()}`)),
    );
    child.stdin.end(`${password}\n`);
  });
}

async function shadowEntry(tree: string, s: PackimageSettings): Promise<OverlayEntry> {
  const file = path.join(tree, "etc/shadow");
  let rest = "";
  let meta = { mode: 0o600, uid: 0, gid: 0 };
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  if (st?.isFile()) {
    // packimage rewrites the file in place: its mode and owner stay, every line but root's is kept as it was.
    meta = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    rest = fs
      .readFileSync(file, "utf8")
      .split(/(?<=\n)/)
      .filter((l) => !l.startsWith("root:"))
      .join("");
  }
  const reason = s.secureroot
    ? "root locked (site.secureroot=1)"
    : s.rootPassword
      ? "root's password from xCAT's passwd table"
      : "root's password 'cluster' (no root row in xCAT's passwd table)";
  return { path: "etc/shadow", content: `root:${await rootHash(tree, s)}${SHADOW_TAIL}\n${rest}`, ...meta, reason };
}

/**
 * The plain `src [src...] -> dest` lines of a synclist, as `xdcp -i` copies them into the image (rsync: a single
 * source to a dest not ending in `/` is renamed to it; otherwise sources go into dest as a directory; symlinked
 * sources are followed). The APPEND:, MERGE:, EXECUTE: and EXECUTEALWAYS: sections change files on nodes or merge
 * accounts: the own pack does not apply them and says so.
 */
export async function synclistEntries(file: string): Promise<{ entries: OverlayEntry[]; messages: PackimageMessage[] }> {
  const entries: OverlayEntry[] = [];
  const messages: PackimageMessage[] = [];
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    messages.push({
      level: "warning",
      text: `synclist ${file} cannot be read (${(e as NodeJS.ErrnoException).code}); its files are not added`,
    });
    return { entries, messages };
  }
  let section = "";
  const reason = `synclist ${file}`;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    const header = /^(APPEND|MERGE|EXECUTE|EXECUTEALWAYS):$/.exec(line);
    if (header) {
      section = header[1];
      messages.push({
        level: "warning",
        text: `synclist ${file}: the ${section}: section is applied only by packimage (pack with xCAT); the own pack leaves it out`,
      });
      continue;
    }
    if (section) continue;
    const m = /^(.+?)\s*->\s*(\S+)$/.exec(line);
    if (!m) {
      messages.push({ level: "warning", text: `synclist ${file}: line not understood, skipped: ${line}` });
      continue;
    }
    const sources = m[1].split(/\s+/);
    const dest = m[2];
    for (const src of sources) {
      let real: string;
      try {
        real = fs.realpathSync(src);
      } catch {
        messages.push({ level: "warning", text: `synclist ${file}: ${src} does not exist; skipped` });
        continue;
      }
      const target = (sources.length === 1 && !dest.endsWith("/") ? dest : path.posix.join(dest, path.basename(src))).replace(/^\/+/, "");
      if (!target || target.split("/").includes("..")) {
        messages.push({ level: "warning", text: `synclist ${file}: destination ${dest} is not inside the image; skipped` });
        continue;
      }
      if (fs.statSync(real).isDirectory())
        for (const e of await walkTree(real)) entries.push({ path: e.rel ? `${target}/${e.rel}` : target, source: e.abs, reason });
      else entries.push({ path: target, source: real, reason });
    }
  }
  return { entries, messages };
}

/**
 * getsynclistfile for an image: osimage.synclists, else the first of the custom synclists xCAT looks for
 * (`<installdir>/custom/netboot/<platform>/<profile>.<osvers>.<osarch>.synclist`, then without arch, os, both).
 */
export function synclistFiles(attrs: Record<string, string>, installdir: string): string[] {
  if (attrs.synclists) return attrs.synclists.split(",").filter(Boolean);
  const os = attrs.osvers ?? "";
  const platform = platformOf(os);
  if (!platform || !attrs.profile) return [];
  const base = path.join(installdir, "custom/netboot", platform);
  const names = [`${attrs.profile}.${os}.${attrs.osarch}`, `${attrs.profile}.${os}`, `${attrs.profile}.${attrs.osarch}`, attrs.profile].map(
    (n) => path.join(base, `${n}.synclist`),
  );
  const found = names.find((f) => fs.existsSync(f));
  return found ? [found] : [];
}
