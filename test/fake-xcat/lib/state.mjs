// Shared plumbing of the fake xCAT: state file, command log, xCAT-style output.
// State: FAKE_XCAT_STATE (JSON: { site: {installdir, timezone, secureroot, tmpdir}, osimages: {name: {attr: value}},
//        passwd: [{key, username, password, cryptmethod}] }).
// Log:   FAKE_XCAT_LOG (one JSON line per call: {argv, cwd}) so tests can check the exact command lines.
import fs from "node:fs";
import path from "node:path";

export const HOST = process.env.FAKE_XCAT_HOST || "xcatmn";
const STATE = process.env.FAKE_XCAT_STATE || path.join(process.env.XCATROOT || "/opt/xcat", "fake-state.json");

export function logCall(cmd) {
  const log = process.env.FAKE_XCAT_LOG;
  if (log) fs.appendFileSync(log, `${JSON.stringify({ argv: [cmd, ...process.argv.slice(2)], cwd: process.cwd() })}\n`);
}

export function load() {
  try {
    const s = JSON.parse(fs.readFileSync(STATE, "utf8"));
    // Other keys (nodes, bmcs, boots: lib/nodes.mjs) are kept as they are.
    return { ...s, site: { ...(s.site || {}) }, osimages: s.osimages || {} };
  } catch (e) {
    if (e.code === "ENOENT") return { site: {}, osimages: {} };
    throw e;
  }
}

/** xCAT's getInstallDir (TableUtils.pm): site.installdir, or /install when it is unset or empty. */
export const installdirOf = (site) => site.installdir || "/install";

export function save(state) {
  const tmp = `${STATE}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs.renameSync(tmp, STATE);
}

// xcatd relays errors with the management node's name (Client.pm handle_response).
export const out = (line) => process.stdout.write(`${line}\n`);
export const error = (text) => process.stderr.write(`Error: [${HOST}]: ${text}\n`);
export const warning = (text) => process.stderr.write(`Warning: [${HOST}]: ${text}\n`);

// Attributes of the osimage object (osimage + linuximage tables of xCAT's Schema.pm); `comments` is not one.
export const OSIMAGE_ATTRS = new Set(
  (
    "imagename groups imagetype description provmethod rootfstype nfsrootopts osdistroname osupdatename cfmdir profile osname osvers " +
    "osarch synclists postscripts postbootscripts serverrole isdeletable kitcomponents environvar template boottarget addkcmdline " +
    "pkglist pkgdir otherpkglist otherpkgdir exlist postinstall rootimgdir kerneldir nodebootif otherifce netdrivers kernelver " +
    "krpmver permission dump crashkernelsize partitionfile driverupdatesrc usercomment"
  ).split(" "),
);

export function exit(code) {
  process.exitCode = code;
}
