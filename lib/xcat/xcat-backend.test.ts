/** The xCAT adapter driven against the fake xCAT (test/fake-xcat), checking the exact command lines it ran. */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeTgz } from "./bundle/make-tar";
import { buildManifest } from "./bundle/manifest-xml";
import { XcatBackend, xcatInstalled } from "./xcat-backend";

const FAKE = path.join(process.cwd(), "test/fake-xcat");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "xcat-backend-"));
const log = path.join(tmp, "calls.log");
const imgdir = `${tmp}/install/netboot/rhels9.4/x86_64/compute`;
const calls = () =>
  fs
    .readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { argv: string[]; cwd: string });
let backend: XcatBackend;

describe("xCAT backend against the fake xCAT", () => {
  beforeAll(() => {
    Object.assign(process.env, { FAKE_XCAT_STATE: `${tmp}/state.json`, FAKE_XCAT_LOG: log, ROOTIMG_XCAT_LOCK_DIR: `${tmp}/lock` });
    fs.writeFileSync(`${tmp}/state.json`, JSON.stringify({ site: { installdir: `${tmp}/install` }, osimages: {} }));
    backend = new XcatBackend(FAKE, tmp);
  });

  it("is selected by XCATROOT when bin/lsdef exists", () => {
    expect(xcatInstalled(FAKE)).toBe(true);
    expect(xcatInstalled(tmp)).toBe(false);
  });

  it("lists no images, then one, with attributes from lsdef", async () => {
    expect(await backend.listImages()).toEqual([]);
    execFileSync(`${FAKE}/bin/mkdef`, [
      "-t",
      "osimage",
      "-o",
      "rhels9.4-x86_64-netboot-compute",
      "imagetype=linux",
      "provmethod=netboot",
      "osvers=rhels9.4",
      "osarch=x86_64",
      "profile=compute",
      `rootimgdir=${imgdir}`,
    ]);
    const list = await backend.listImages();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ imagename: "rhels9.4-x86_64-netboot-compute", rootimgdir: imgdir, provmethod: "netboot" });
    const err = await backend.getImage("no-such-image").catch((e) => e);
    expect(err.code).toBe("not_found");
    expect(err.message).toBe("lsdef failed: Could not find an object named 'no-such-image' of type 'osimage'.");
  });

  it("packs with xCAT, streaming packimage's lines", async () => {
    fs.mkdirSync(`${imgdir}/rootimg/etc`, { recursive: true });
    fs.writeFileSync(`${imgdir}/rootimg/etc/motd`, "hi\n");
    const lines: string[] = [];
    const r = await backend.packWithXcat({ name: "rhels9.4-x86_64-netboot-compute", onLine: (l) => lines.push(l) });
    expect(r.method).toBe("cpio");
    // Without site.timezone, packimage says it leaves etc/localtime alone before it packs.
    expect(lines.slice(0, 2)).toEqual([
      "No timezone defined in site table, skipping timezone /etc/localtime configuration",
      `Packing contents of ${imgdir}/rootimg`,
    ]);
    expect(fs.existsSync(`${imgdir}/rootimg.cpio.gz`)).toBe(true);
    const bad = await backend.packWithXcat({ name: "nope" }).catch((e) => e);
    expect(bad.message).toBe("packimage failed: Cannot find image 'nope' from the osimage table.");
  });

  it("exports with imgexport in the destination directory and refuses to import over an existing image", async () => {
    fs.writeFileSync(`${imgdir}/kernel`, "K");
    fs.writeFileSync(`${imgdir}/initrd-stateless.gz`, "I");
    // imgexport fails without a pkglist; an image that has none gets the custom one genimage would use.
    fs.mkdirSync(`${tmp}/install/custom/netboot/rh`, { recursive: true });
    fs.writeFileSync(`${tmp}/install/custom/netboot/rh/compute.rhels9.4.x86_64.pkglist`, "bash\n");
    const out = path.join(tmp, "out");
    fs.mkdirSync(out);
    const r = await backend.exportBundle({ name: "rhels9.4-x86_64-netboot-compute", destDir: out });
    expect(r.path).toBe(`${out}/rhels9.4-x86_64-netboot-compute.tgz`);
    const err = await backend.importBundle({ bundlePath: r.path }).catch((e) => e);
    expect(err.code).toBe("conflict");
    const ok = await backend.importBundle({ bundlePath: r.path, profile: "copy" });
    expect(ok.imagename).toBe("rhels9.4-x86_64-netboot-copy");
    expect(fs.existsSync(`${tmp}/install/netboot/rhels9.4/x86_64/copy/rootimg.cpio.gz`)).toBe(true);
  });

  it("refuses a bundle whose manifest would place files outside its rootimgdir, before imgimport runs", async () => {
    const evil = path.join(tmp, "evil.tgz");
    fs.writeFileSync(
      evil,
      makeTgz([
        {
          name: "./x/manifest.xml",
          data: buildManifest({
            osimage: { imagename: "x", osvers: "a", osarch: "b", profile: "c", provmethod: "netboot" },
            linuximage: { rootimgdir: "/install/x" },
            kernel: "/etc/cron.d/kernel",
          }),
        },
        { name: "./x/kernel", data: "* * * * * root evil" },
      ]),
    );
    const before = calls().length;
    const err = await backend.importBundle({ bundlePath: evil }).catch((e) => e);
    expect(err.message).toMatch(/outside the image's rootimgdir/);
    expect(
      calls()
        .slice(before)
        .map((c) => c.argv[0]),
    ).not.toContain("imgimport");
  });

  it("refuses a bundle whose profile files would land outside /install and xCAT's share dir", async () => {
    const evil = path.join(tmp, "evil2.tgz");
    fs.writeFileSync(
      evil,
      makeTgz([
        {
          name: "./y/manifest.xml",
          data: buildManifest({
            osimage: { imagename: "y", osvers: "a", osarch: "b", profile: "c", provmethod: "netboot" },
            linuximage: { rootimgdir: "/install/y", postinstall: "/etc/cron.d/y" },
          }),
        },
        { name: "./y/y", data: "* * * * * root evil" },
      ]),
    );
    const err = await backend.importBundle({ bundlePath: evil }).catch((e) => e);
    expect(err.message).toMatch(/postinstall \/etc\/cron.d\/y is outside xCAT's installdir \(.*\/install\/\) and share directory/);
  });

  it("ran exactly these command lines", () => {
    const argv = calls().map((c) => c.argv.join(" "));
    expect(argv).toEqual([
      "lsdef -t osimage",
      `mkdef -t osimage -o rhels9.4-x86_64-netboot-compute imagetype=linux provmethod=netboot osvers=rhels9.4 osarch=x86_64 profile=compute rootimgdir=${imgdir}`,
      "lsdef -t osimage",
      "lsdef -t osimage -l",
      "lsdef -t osimage -o no-such-image",
      "packimage rhels9.4-x86_64-netboot-compute",
      "packimage nope",
      "imgexport rhels9.4-x86_64-netboot-compute",
      // the bundle's pkglist is under this test's installdir, not /install: site.installdir is read (then cached)
      "lsdef -t site -o clustersite -i installdir",
      "lsdef -t osimage -o rhels9.4-x86_64-netboot-compute",
      "lsdef -t osimage -o rhels9.4-x86_64-netboot-copy",
      `imgimport ${tmp}/out/rhels9.4-x86_64-netboot-compute.tgz -f copy`,
    ]);
    expect(calls().find((c) => c.argv[0] === "imgexport")!.cwd).toBe(`${tmp}/out`);
  });
});
