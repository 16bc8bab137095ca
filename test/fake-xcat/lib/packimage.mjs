// Fake `packimage IMAGE`: the checks, messages, tree changes and archive of xCAT 2.19's packimage.pm
// (transcripts 11, 27, 31, 71, 81–87), in packimage's order:
//   lock; rm -rf rootimg/xcatpost + cp -r <installdir>/postscripts/*; opt/xcat/xcatinfo; etc/localtime ->
//   ../usr/share/zoneinfo/<site.timezone> (a warning when that does not resolve, an info line when no timezone is
//   set); the exlist's exclude and include `find` passes (+ the zone file when a timezone is set);
//   opt/xcat/xcatdsklspost; root's line of etc/shadow from the passwd table; the synclists' plain lines;
//   `cat <list> | cpio -H newc -o | pigz -c > ../rootimg.cpio.gz`.
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { error, exit, installdirOf, load, out, warning } from "./state.mjs";

export async function packimage(argv) {
  if (argv.includes("-h") || argv.includes("--help")) {
    out("Usage:");
    out("   packimage [-m| --method=cpio|tar] [-c| --compress=gzip|pigz|xz] [--nosyncfiles] <imagename>");
    out("   packimage [-h| --help]");
    out("   packimage [-v| --version]");
    return;
  }
  let compress;
  const names = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "-c" || argv[i] === "--compress") compress = argv[++i];
    else if (argv[i].startsWith("--compress=")) compress = argv[i].slice(11);
    else if (!argv[i].startsWith("-")) names.push(argv[i]);
  }
  const nosync = argv.includes("--nosyncfiles");
  const name = names[0];
  const state = load();
  const img = state.osimages[name];
  const site = state.site;
  if (!img) {
    error(`Cannot find image '${name}' from the osimage table.`);
    return exit(1);
  }
  if (!img.osvers || !img.osarch || !img.profile || !img.provmethod) {
    error(
      `osimage.osvers, osimage.osarch, osimage.profile and osimage.provmethod must be specified for the image ${name} in the database.`,
    );
    return exit(1);
  }
  if (img.provmethod !== "netboot") {
    error(`'${name}' cannot be used to build diskless image. Make sure osimage.provmethod is 'netboot'.`);
    return exit(1);
  }
  const installdir = installdirOf(site);
  const destdir = img.rootimgdir || `${installdir}/netboot/${img.osvers}/${img.osarch}/${img.profile}`;
  const rootimg = `${destdir}/rootimg`;
  const lockFd = lock(rootimg);
  if (lockFd === null) return exit(1);
  const tz = site.timezone;

  fs.rmSync(`${rootimg}/xcatpost`, { recursive: true, force: true });
  fs.mkdirSync(`${rootimg}/xcatpost`, { recursive: true });
  if (fs.existsSync(`${installdir}/postscripts`))
    for (const f of fs.readdirSync(`${installdir}/postscripts`))
      spawnSync("cp", ["-r", `${installdir}/postscripts/${f}`, `${rootimg}/xcatpost/`]);
  fs.mkdirSync(`${rootimg}/opt/xcat`, { recursive: true });
  fs.writeFileSync(
    `${rootimg}/opt/xcat/xcatinfo`,
    `IMAGENAME='${name}'\nIMAGEUUID='${randomUUID()}'\nTIMESTAMP='${dateLikeShell(new Date())}'\n`,
  );

  if (tz) {
    fs.rmSync(`${rootimg}/etc/localtime`, { force: true });
    fs.mkdirSync(`${rootimg}/etc`, { recursive: true });
    fs.symlinkSync(`../usr/share/zoneinfo/${tz}`, `${rootimg}/etc/localtime`);
    if (!fs.existsSync(`${rootimg}/etc/localtime`)) warning(`Unable to set timezone to '${tz}', check this is a valid timezone`);
  } else out("No timezone defined in site table, skipping timezone /etc/localtime configuration");

  const exclude = [];
  const include = [];
  for (const ex of (img.exlist || "").split(",").filter(Boolean)) {
    let text = fs.existsSync(ex) ? fs.readFileSync(ex, "utf8") : "";
    if (tz) {
      text += `+./usr/share/zoneinfo/${tz}\n`;
      const zone = `${rootimg}/usr/share/zoneinfo/${tz}`;
      let real;
      try {
        real = fs.realpathSync(zone);
      } catch {
        real = zone;
      }
      if (real !== zone) text += `+.${real.slice(rootimg.length)}\n`;
    } else out("No timezone defined in site table, skipping timezone exlist configuration");
    for (let i = 0; i < 16 && /#INCLUDE:[^#\n]+#/.test(text); i++)
      text = text.replace(/#INCLUDE:([^#\n]+)#/g, (_, f) => {
        const file = f.startsWith("/") ? f : `${path.dirname(ex)}/${f}`;
        return fs.existsSync(file)
          ? fs
              .readFileSync(file, "utf8")
              .split("\n")
              .map((l) => l.trimEnd())
              .filter((l) => l.trim())
              .join("\n")
          : `#INCLUDEBAD:cannot open ${file}#`;
      });
    for (let l of text.split("\n")) {
      l = l.replace(/\s*#.*/, "");
      if (/^\s*$/.test(l)) continue;
      if (l.startsWith("+")) include.push(l.slice(1));
      else exclude.push(l.replace(/^-/, ""));
    }
  }
  for (const e of ["./etc/init.d/statelite", "./etc/rc.sysinit.backup", "./.statelite*", "./.default*", "./.statebackup*"]) exclude.push(e);

  if (fs.existsSync(`${installdir}/postscripts/xcatdsklspost`)) {
    fs.copyFileSync(`${installdir}/postscripts/xcatdsklspost`, `${rootimg}/opt/xcat/xcatdsklspost`);
    fs.chmodSync(`${rootimg}/opt/xcat/xcatdsklspost`, 0o755);
  }
  writeShadow(rootimg, state);
  if (!nosync) for (const f of (img.synclists || "").split(",").filter(Boolean)) if (fs.existsSync(f)) sync(rootimg, f);

  out(`Packing contents of ${rootimg}`);
  out("archive method:cpio");
  const pigz = (process.env.PATH || "").split(":").some((d) => d && fs.existsSync(path.join(d, "pigz")));
  const method = compress || (pigz ? "pigz" : "gzip");
  out(`compress method:${method}`);
  for (const f of fs.readdirSync(destdir)) if (f.startsWith("rootimg.")) fs.rmSync(path.join(destdir, f), { force: true });
  const suffix = method === "xz" ? "xz" : "gz";
  const list = `${process.env.TMPDIR || "/tmp"}/xcat_packimg.${process.pid}`;
  const notExcluded = ["."];
  for (const [i, e] of exclude.entries()) notExcluded.push(...(i ? ["-a"] : []), "!", "-path", e);
  let names_ = spawnSync("find", [".", "-xdev", ...notExcluded.slice(1)], { cwd: rootimg, maxBuffer: 1 << 30 }).stdout;
  if (include.length) {
    const inc = [];
    for (const [i, e] of include.entries()) inc.push(...(i ? ["-o"] : []), "-path", e);
    names_ = Buffer.concat([names_, spawnSync("find", [".", "-xdev", ...inc], { cwd: rootimg, maxBuffer: 1 << 30 }).stdout]);
  }
  fs.writeFileSync(list, names_);
  const rc = await pipeline(rootimg, list, `${destdir}/rootimg.cpio.${suffix}`, method);
  fs.rmSync(list, { force: true });
  out(""); // the info line packimage relays from the pipeline (cpio's block count goes to its stderr, merged there)
  if (rc !== 0) {
    error(
      `packimage failed while running: \n cat /tmp/xcat_packimg.${process.pid}|cpio -H newc -o | ${method} -c - > ../rootimg.cpio.${suffix}`,
    );
    return exit(1);
  }
  fs.chmodSync(`${destdir}/rootimg.cpio.${suffix}`, 0o644);
  fs.closeSync(lockFd);
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** `date` (TIMESTAMP is its output): "Wed Dec  2 02:56:03 UTC 2026", the day padded with a space. */
function dateLikeShell(d) {
  const p = (n) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** root:<crypt_system_password>:13880:0:99999:7::: then every other line as it was; `cluster` without a passwd row. */
function writeShadow(rootimg, state) {
  const row = (state.passwd || []).find((r) => r.key === "system" && r.username === "root");
  let pass = row ? row.password : "cluster";
  if (row && !/^\$[156]\$/.test(pass)) {
    const prefix = { md5: "1", sha256: "5", sha512: "6" }[row.cryptmethod || "sha256"];
    const salt = randomUUID().replace(/-/g, "").slice(0, 8);
    pass = spawnSync("openssl", ["passwd", `-${prefix}`, "-salt", salt, "-stdin"], { input: `${pass}\n`, encoding: "utf8" }).stdout.trim();
  }
  if (state.site.secureroot === "1") pass = "*";
  const file = `${rootimg}/etc/shadow`;
  const rest = fs.existsSync(file)
    ? fs
        .readFileSync(file, "utf8")
        .split(/(?<=\n)/)
        .filter((l) => !l.startsWith("root:"))
        .join("")
    : "";
  fs.mkdirSync(`${rootimg}/etc`, { recursive: true });
  if (fs.existsSync(file)) fs.writeFileSync(file, `root:${pass}:13880:0:99999:7:::\n${rest}`);
  else fs.writeFileSync(file, `root:${pass}:13880:0:99999:7:::\n`, { mode: 0o600 });
}

/** xdcp -i ROOTIMG -F SYNCLIST for the plain `src... -> dest` lines (xdcp's rsync -L: sources' links followed). */
function sync(rootimg, synclist) {
  let section = false;
  for (let l of fs.readFileSync(synclist, "utf8").split("\n")) {
    l = l.replace(/#.*/, "").trim();
    if (!l) continue;
    if (/^(APPEND|MERGE|EXECUTE|EXECUTEALWAYS):$/.test(l)) section = true;
    const m = /^(.+?)\s*->\s*(\S+)$/.exec(l);
    if (section || !m) continue;
    const srcs = m[1].split(/\s+/);
    const dest = `${rootimg}${m[2].startsWith("/") ? "" : "/"}${m[2]}`;
    const dir = srcs.length === 1 && !m[2].endsWith("/") ? path.dirname(dest) : dest;
    fs.mkdirSync(dir, { recursive: true });
    for (const s of srcs)
      spawnSync("cp", [
        "-rL",
        "--preserve=mode,ownership",
        s,
        srcs.length === 1 && !m[2].endsWith("/") ? dest : `${dest.replace(/\/$/, "")}/`,
      ]);
  }
}

function pipeline(cwd, list, dest, compressor) {
  return new Promise((resolve) => {
    const fd = fs.openSync(dest, "w", 0o600);
    const cpio = spawn("cpio", ["-H", "newc", "-o", "--quiet"], { cwd, stdio: [fs.openSync(list, "r"), "pipe", "ignore"] });
    const gz = spawn(compressor, ["-c", "-"], { stdio: [cpio.stdout, fd, "ignore"] });
    gz.on("close", (code) => {
      fs.closeSync(fd);
      resolve(code ?? 1);
    });
  });
}

// Same lock file as xCAT (Utils.pm acquire_lock_imageop), via util-linux flock on our own fd; the pid is written
// without a newline, as xCAT writes it.
function lock(rootimg) {
  const dir = process.env.ROOTIMG_XCAT_LOCK_DIR || "/var/lock/xcat";
  fs.mkdirSync(dir, { recursive: true });
  let real;
  try {
    real = fs.realpathSync(rootimg);
  } catch {
    real = path.join(fs.realpathSync(path.dirname(rootimg)), path.basename(rootimg));
  }
  const file = path.join(dir, `${real.replaceAll("/", ".")}.${createHash("md5").update(real).digest("hex")}`);
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  const r = spawnSync("flock", ["-n", "-E", "75", "3"], { stdio: ["ignore", "ignore", "ignore", fd] });
  if (r.status !== 0) {
    const holder = fs.readFileSync(file, "utf8");
    fs.closeSync(fd);
    error(
      `failed to acquire lock, seems there is another genimage/packimage/rmimage process ${holder} running on root image dir "${real}"`,
    );
    return null;
  }
  fs.ftruncateSync(fd, 0);
  fs.writeSync(fd, String(process.pid), 0);
  return fd;
}
