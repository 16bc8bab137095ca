// Fake `packimage IMAGE`: the checks, messages and archive of xCAT 2.19's packimage.pm (xcat-facts §1, transcripts 11, 31):
// takes the image lock, writes rootimg/opt/xcat/xcatinfo, then `find . -xdev | cpio -H newc -o | pigz -c > ../rootimg.cpio.gz`.
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { load, out, error, warning, exit, installdirOf } from "./state.mjs";

export async function packimage(argv) {
  const name = argv.filter((a) => !a.startsWith("-"))[0];
  const img = load().osimages[name];
  const site = load().site;
  if (!img) {
    error(`Cannot find image '${name}' from the osimage table.`);
    return exit(1);
  }
  if (!img.osvers || !img.osarch || !img.profile || !img.provmethod) {
    error(`osimage.osvers, osimage.osarch, osimage.profile and osimage.provmethod must be specified for the image ${name} in the database.`);
    return exit(1);
  }
  if (img.provmethod !== "netboot") {
    error(`'${name}' cannot be used to build diskless image. Make sure osimage.provmethod is 'netboot'.`);
    return exit(1);
  }
  const destdir = img.rootimgdir || `${installdirOf(site)}/netboot/${img.osvers}/${img.osarch}/${img.profile}`;
  const rootimg = `${destdir}/rootimg`;
  const lockFd = lock(rootimg);
  if (lockFd === null) return exit(1);
  fs.mkdirSync(`${rootimg}/opt/xcat`, { recursive: true });
  fs.writeFileSync(`${rootimg}/opt/xcat/xcatinfo`, `IMAGENAME='${name}'\nIMAGEUUID='${randomUUID()}'\nTIMESTAMP='${new Date().toString()}'\n`);
  if (site.timezone) warning(`Unable to set timezone to '${site.timezone}', check this is a valid timezone`);
  out(`Packing contents of ${rootimg}`);
  out("archive method:cpio");
  const pigz = (process.env.PATH || "").split(":").some((d) => d && fs.existsSync(path.join(d, "pigz")));
  out(`compress method:${pigz ? "pigz" : "gzip"}`);
  for (const f of fs.readdirSync(destdir)) if (f.startsWith("rootimg.")) fs.rmSync(path.join(destdir, f), { force: true });
  const rc = await pipeline(rootimg, `${destdir}/rootimg.cpio.gz`, pigz ? "pigz" : "gzip");
  out(""); // the info line packimage relays from the pipeline (cpio's block count goes to its stderr, merged there)
  if (rc !== 0) {
    error(`packimage failed while running: \n cat /tmp/xcat_packimg.${process.pid}|cpio -H newc -o | ${pigz ? "pigz" : "gzip"} -c - > ../rootimg.cpio.gz`);
    return exit(1);
  }
  fs.chmodSync(`${destdir}/rootimg.cpio.gz`, 0o644);
  fs.closeSync(lockFd);
}

function pipeline(cwd, dest, compressor) {
  return new Promise((resolve) => {
    const fd = fs.openSync(dest, "w", 0o600);
    const find = spawn("find", [".", "-xdev"], { cwd, stdio: ["ignore", "pipe", "ignore"] });
    const cpio = spawn("cpio", ["-H", "newc", "-o", "--quiet"], { cwd, stdio: [find.stdout, "pipe", "ignore"] });
    const gz = spawn(compressor, ["-c", "-"], { stdio: [cpio.stdout, fd, "ignore"] });
    gz.on("close", (code) => {
      fs.closeSync(fd);
      resolve(code ?? 1);
    });
  });
}

// Same lock file as xCAT (Utils.pm acquire_lock_imageop), via util-linux flock on our own fd.
function lock(rootimg) {
  const dir = process.env.ROOTIMG_XCAT_LOCK_DIR || "/var/lock/xcat";
  fs.mkdirSync(dir, { recursive: true });
  let real;
  try { real = fs.realpathSync(rootimg); } catch { real = path.join(fs.realpathSync(path.dirname(rootimg)), path.basename(rootimg)); }
  const file = path.join(dir, `${real.replaceAll("/", ".")}.${createHash("md5").update(real).digest("hex")}`);
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  const r = spawnSync("flock", ["-n", "-E", "75", "3"], { stdio: ["ignore", "ignore", "ignore", fd] });
  if (r.status !== 0) {
    const holder = fs.readFileSync(file, "utf8").trim();
    fs.closeSync(fd);
    error(`failed to acquire lock, seems there is another genimage/packimage/rmimage process ${holder} running on root image dir "${real}"`);
    return null;
  }
  fs.ftruncateSync(fd, 0);
  fs.writeSync(fd, `${process.pid}\n`, 0);
  return fd;
}
