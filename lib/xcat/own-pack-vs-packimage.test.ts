/**
 * What a node receives from the product's own pack equals what xCAT's packimage gives it: the same tree is packed
 * once by the own pack (xCAT's tree changes applied as an overlay, read from the fake xCAT's tables through the
 * xCAT backend) and once by the fake's packimage (which makes those changes in the tree itself). The two
 * archives must list the same entries with the same types, modes and owners, and the same content for the files
 * packimage writes; only gzip member boundaries, entry order and the random parts (IMAGEUUID, TIMESTAMP, the
 * crypt salt) differ. The own pack must leave the tree as it was.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previewOverlayChanges } from "@/lib/archive/pack-overlay";
import { packTree } from "@/lib/archive/pack-tree";
import { listTree } from "@/lib/archive/test-fixtures";
import { packimageOverlay } from "./packimage-steps";
import { XcatBackend } from "./xcat-backend";

const FAKE = path.join(process.cwd(), "test/fake-xcat");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "own-vs-packimage-"));
const IMAGE = "rhels8-x86_64-netboot-compute";
const a = `${tmp}/install/netboot/rhels8/x86_64/a`; // packed by the own pack
const b = `${tmp}/install/netboot/rhels8/x86_64/b`; // packed by packimage
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The same genimage-like tree in both places (fixed mtimes so `ls` equality means equal trees). */
function makeTree(root: string) {
  const w = (rel: string, text: string, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text, { mode });
    fs.chmodSync(path.join(root, rel), mode);
  };
  w("etc/motd", "hello\n");
  w("etc/shadow", "root:$6$old$imagehash:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\nhpc:!:19000::::::\n", 0o000);
  w("usr/share/zoneinfo/Etc/UTC", "TZif2 utc");
  w("usr/share/zoneinfo/Europe/Paris", "TZif2 paris");
  fs.symlinkSync("Etc/UTC", path.join(root, "usr/share/zoneinfo/Universal"));
  fs.symlinkSync("/usr/share/zoneinfo/Europe/Paris", path.join(root, "etc/localtime"));
  w("usr/share/man/man1/ls.1.gz", "man");
  w("boot/vmlinuz-6.1", "kernel");
  w("xcatpost/stale-from-an-old-pack", "old\n", 0o755);
  w("usr/bin/tool", "#!/bin/sh\n", 0o755);
  fs.mkdirSync(path.join(root, "opt/xcat"), { recursive: true });
}

/** Entries of a newc archive as `type mode uid gid name[ -> target]`, sorted, without the packing's random parts. */
function entries(archive: string): string[] {
  const raw = gunzipSync(fs.readFileSync(archive));
  const list = execFileSync("cpio", ["-tv", "--quiet", "--numeric-uid-gid"], { input: raw, encoding: "utf8" });
  return list
    .trim()
    .split("\n")
    .map((l) => {
      const f = l.split(/\s+/);
      // perms links uid gid size month day time|year name...
      const name = f.slice(8).join(" ");
      // The sizes of these two differ with the random parts only (IMAGEUUID, TIMESTAMP, the crypt salt's hash).
      const size = f[0].startsWith("d") || /^(opt\/xcat\/xcatinfo|etc\/shadow)$/.test(name) ? "" : f[4];
      return `${f[0]} ${f[2]} ${f[3]} ${size} ${name}`;
    })
    .sort();
}

const fileIn = (archive: string, name: string) => {
  const dir = fs.mkdtempSync(path.join(tmp, "x-"));
  spawnSync("bsdtar", ["-xf", archive, "-C", dir, name]);
  return fs.readFileSync(path.join(dir, name), "utf8");
};

describe("own pack vs packimage on the same tree", () => {
  beforeAll(() => {
    Object.assign(process.env, {
      FAKE_XCAT_STATE: `${tmp}/state.json`,
      FAKE_XCAT_LOG: "",
      ROOTIMG_XCAT_LOCK_DIR: `${tmp}/lock`,
      FAKE_XCAT_SHARE: `${tmp}/share`,
    });
    const exlist = `${tmp}/compute.exlist`;
    fs.writeFileSync(exlist, "./boot*\n./usr/share/man*\n./usr/share/zoneinfo*\n");
    const synclist = `${tmp}/compute.synclist`;
    fs.mkdirSync(`${tmp}/sync/etc/munge`, { recursive: true });
    fs.writeFileSync(`${tmp}/sync/etc/munge/munge.key`, "secret\n", { mode: 0o400 });
    fs.writeFileSync(`${tmp}/sync/hosts`, "10.0.0.1 mgmt\n");
    fs.writeFileSync(synclist, `# from the MN\n${tmp}/sync/hosts -> /etc/hosts\n${tmp}/sync/etc/munge/munge.key -> /etc/munge/\n`);
    const common = {
      imagetype: "linux",
      provmethod: "netboot",
      osname: "Linux",
      osvers: "rhels8",
      osarch: "x86_64",
      exlist,
      synclists: synclist,
    };
    fs.writeFileSync(
      `${tmp}/state.json`,
      JSON.stringify({
        site: { installdir: `${tmp}/install`, timezone: "Universal", master: "127.0.0.1" },
        osimages: {
          [IMAGE]: { ...common, profile: "a", rootimgdir: a },
          "rhels8-x86_64-netboot-b": { ...common, profile: "b", rootimgdir: b },
        },
        passwd: [{ key: "system", username: "root", password: "cluster" }],
      }),
    );
    fs.mkdirSync(`${tmp}/install/postscripts/_ssh`, { recursive: true });
    fs.mkdirSync(`${tmp}/install/postscripts/hostkeys`, { recursive: true });
    fs.writeFileSync(`${tmp}/install/postscripts/xcatdsklspost`, "#!/bin/sh\n# xCAT diskless post\n", { mode: 0o755 });
    fs.writeFileSync(`${tmp}/install/postscripts/syslog`, "#!/bin/sh\n", { mode: 0o755 });
    fs.writeFileSync(`${tmp}/install/postscripts/_ssh/authorized_keys`, "ssh-ed25519 AAAA root@mgmt\n", { mode: 0o644 });
    fs.writeFileSync(`${tmp}/install/postscripts/hostkeys/ssh_host_ed25519_key`, "PRIVATE\n", { mode: 0o600 });
    makeTree(`${a}/rootimg`);
    makeTree(`${b}/rootimg`);
  });

  it("lists the same entries, with packimage's content for xcatpost, localtime, xcatdsklspost and root's shadow line", async () => {
    const tree = `${a}/rootimg`;
    // Like packimage, the own pack stamps opt/xcat/xcatinfo into the tree; nothing else in the tree may change.
    const untouched = () => listTree(tree).filter((l) => !/^opt\/xcat(\/xcatinfo)? /.test(l));
    const before = untouched();
    const backend = new XcatBackend(FAKE, tmp);
    const image = await backend.getImage(IMAGE);
    const settings = await backend.packimageSettings(image);
    expect(settings).toMatchObject({
      installdir: `${tmp}/install`,
      timezone: "Universal",
      secureroot: false,
      rootPassword: { password: "cluster" },
    });
    const { overlay, messages } = await packimageOverlay(tree, settings);
    expect(messages).toEqual([]); // zone present, xcatdsklspost present
    const preview = await previewOverlayChanges(tree, overlay); // what the review shows before the pack
    const own = await packTree({
      tree,
      archive: `${a}/rootimg.cpio.gz`,
      exlist: image.exlist,
      timezone: settings.timezone,
      stamp: IMAGE,
      overlay,
    });
    expect(untouched()).toEqual(before);
    expect(own.overlayChanges).toEqual(preview);

    const r = spawnSync(path.join(FAKE, "sbin/packimage"), ["rhels8-x86_64-netboot-b"], { env: process.env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const theirs = `${b}/rootimg.cpio.gz`;
    expect(entries(own.archive)).toEqual(entries(theirs));
    expect(entries(theirs)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^lrwxrwxrwx 0 0 \d+ etc\/localtime -> \.\.\/usr\/share\/zoneinfo\/Universal$/),
        expect.stringMatching(/ usr\/share\/zoneinfo\/Universal -> Etc\/UTC$/),
        expect.stringMatching(/ usr\/share\/zoneinfo\/Etc\/UTC$/),
        expect.stringMatching(/^-rwxr-xr-x 0 0 \d+ opt\/xcat\/xcatdsklspost$/),
        expect.stringMatching(/ xcatpost\/_ssh\/authorized_keys$/),
        expect.stringMatching(/ xcatpost\/hostkeys\/ssh_host_ed25519_key$/),
        expect.stringMatching(/ etc\/hosts$/),
        expect.stringMatching(/^-r-------- 0 0 \d+ etc\/munge\/munge.key$/),
        "---------- 0 0  etc/shadow", // packimage rewrites the file in place: its mode (here none) stays
        expect.stringMatching(/^-rw-r--r-- 0 0 {2}opt\/xcat\/xcatinfo$/),
      ]),
    );
    expect(entries(theirs).some((e) => /stale-from-an-old-pack|usr\/share\/man|Europe|boot/.test(e))).toBe(false);
    for (const f of ["xcatpost/_ssh/authorized_keys", "opt/xcat/xcatdsklspost", "etc/hosts", "etc/munge/munge.key"])
      expect(fileIn(own.archive, f), f).toBe(fileIn(theirs, f));
    const shadow = (archive: string) => fileIn(archive, "etc/shadow").replace(/^root:\$5\$[^:]+:/, "root:HASH:");
    expect(shadow(own.archive)).toBe("root:HASH:13880:0:99999:7:::\nbin:*:19000:0:99999:7:::\nhpc:!:19000::::::\n");
    expect(shadow(own.archive)).toBe(shadow(theirs));
    // The hash really is root's password from the passwd table.
    const hash = /^root:(\$5\$([^$]+)\$[^:]+):/.exec(fileIn(own.archive, "etc/shadow"))!;
    expect(execFileSync("openssl", ["passwd", "-5", "-salt", hash[2], "cluster"], { encoding: "utf8" }).trim()).toBe(hash[1]);
    const info = (archive: string) =>
      fileIn(archive, "opt/xcat/xcatinfo")
        .replace(/IMAGEUUID='[^']+'/, "U")
        .replace(/TIMESTAMP='[^']+'/, "T")
        .replace(/-b'/, "-compute'");
    expect(info(own.archive)).toBe(info(theirs));

    expect(own.overlayChanges).toEqual(
      expect.arrayContaining([
        { path: "etc/shadow", change: "replaced", reason: "root's password from xCAT's passwd table" },
        { path: "etc/localtime", change: "replaced", reason: "site.timezone Universal" },
        {
          path: "xcatpost/stale-from-an-old-pack",
          change: "removed",
          reason: `xCAT postscripts from ${tmp}/install/postscripts (packimage refreshes xcatpost/)`,
        },
        { path: "etc/hosts", change: "added", reason: `synclist ${tmp}/compute.synclist` },
      ]),
    );
  });
});
