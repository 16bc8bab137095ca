/**
 * An osimage without linuximage.rootimgdir lives where xCAT puts it: `<site.installdir>/netboot/<osvers>/<arch>/<profile>`,
 * with site.installdir read from xCAT (`lsdef -t site`) and /install when unset. Driven against the fake xCAT.
 */

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTgz } from "./bundle/make-tar";
import { buildManifest } from "./bundle/manifest-xml";
import { XcatBackend } from "./xcat-backend";

const FAKE = path.join(process.cwd(), "test/fake-xcat");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "xcat-installdir-"));
const log = path.join(tmp, "calls.log");
const state = path.join(tmp, "state.json");
const calls = () =>
  fs
    .readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((l) => (JSON.parse(l) as { argv: string[] }).argv.join(" "));
const mkdef = (...attrs: string[]) => execFileSync(`${FAKE}/bin/mkdef`, ["-t", "osimage", ...attrs]);

describe("site.installdir in the xCAT adapter", () => {
  beforeAll(() => {
    Object.assign(process.env, { FAKE_XCAT_STATE: state, FAKE_XCAT_LOG: log, ROOTIMG_XCAT_LOCK_DIR: `${tmp}/lock` });
    fs.writeFileSync(state, JSON.stringify({ site: { installdir: `${tmp}/srv/xcat` }, osimages: {} }));
    mkdef(
      "-o",
      "rhels9.4-x86_64-netboot-compute",
      "imagetype=linux",
      "provmethod=netboot",
      "osvers=rhels9.4",
      "osarch=x86_64",
      "profile=compute",
    );
    mkdef(
      "-o",
      "set-dir",
      "imagetype=linux",
      "provmethod=netboot",
      "osvers=rhels9.4",
      "osarch=x86_64",
      "profile=other",
      `rootimgdir=${tmp}/elsewhere`,
    );
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("derives rootimgdir from site.installdir as packimage does, and finds packimage's archive there", async () => {
    const backend = new XcatBackend(FAKE, tmp);
    fs.truncateSync(log);
    const img = await backend.getImage("rhels9.4-x86_64-netboot-compute");
    expect(img.rootimgdir).toBe(`${tmp}/srv/xcat/netboot/rhels9.4/x86_64/compute`);
    expect(calls()).toEqual(["lsdef -t osimage -o rhels9.4-x86_64-netboot-compute", "lsdef -t site -o clustersite -i installdir"]);
    // The fake packimage computes its destdir the way packimage.pm does: the archive lands where we look.
    fs.mkdirSync(`${img.rootimgdir}/rootimg/etc`, { recursive: true });
    fs.writeFileSync(`${img.rootimgdir}/rootimg/etc/motd`, "hi\n");
    await backend.packWithXcat({ name: img.imagename });
    expect(fs.existsSync(`${img.rootimgdir}/rootimg.cpio.gz`)).toBe(true);
  });

  it("reads the site once a minute, and not at all when every image has its rootimgdir", async () => {
    const backend = new XcatBackend(FAKE, tmp);
    fs.truncateSync(log);
    expect((await backend.getImage("set-dir")).rootimgdir).toBe(`${tmp}/elsewhere`);
    expect(calls()).toEqual(["lsdef -t osimage -o set-dir"]);
    const list = await backend.listImages();
    expect(list.map((i) => i.rootimgdir)).toEqual([`${tmp}/srv/xcat/netboot/rhels9.4/x86_64/compute`, `${tmp}/elsewhere`]);
    await backend.getImage("rhels9.4-x86_64-netboot-compute");
    expect(calls().filter((c) => c.startsWith("lsdef -t site"))).toEqual(["lsdef -t site -o clustersite -i installdir"]);
  });

  it("accepts a bundle whose profile files live under site.installdir (not /install)", async () => {
    const inst = `${tmp}/srv/xcat`;
    const dir = `${inst}/netboot/rhels9.4/x86_64/instp`;
    const bundle = path.join(tmp, "inst.tgz");
    fs.writeFileSync(
      bundle,
      makeTgz([
        {
          name: "./inst-img/manifest.xml",
          data: buildManifest({
            osimage: {
              imagename: "inst-img",
              imagetype: "linux",
              osvers: "rhels9.4",
              osarch: "x86_64",
              profile: "instp",
              provmethod: "netboot",
            },
            linuximage: { rootimgdir: dir, postinstall: `${inst}/custom/netboot/rh/instp.postinstall` },
            kernel: `${dir}/kernel`,
            ramdisk: `${dir}/initrd-stateless.gz`,
            rootimg: `${dir}/rootimg.cpio.gz`,
          }),
        },
        { name: "./inst-img/kernel", data: "K" },
        { name: "./inst-img/initrd-stateless.gz", data: "I" },
        { name: "./inst-img/rootimg.cpio.gz", data: "R" },
        { name: "./inst-img/instp.postinstall", data: "#!/bin/sh\n" },
      ]),
    );
    const r = await new XcatBackend(FAKE, tmp).importBundle({ bundlePath: bundle });
    expect(r.imagename).toBe("inst-img");
    expect(fs.readFileSync(`${inst}/custom/netboot/rh/instp.postinstall`, "utf8")).toBe("#!/bin/sh\n");
  });

  it("falls back to /install when site.installdir is unset (lsdef -i leaves it out)", async () => {
    fs.writeFileSync(state, JSON.stringify({ ...JSON.parse(fs.readFileSync(state, "utf8")), site: {} }));
    const backend = new XcatBackend(FAKE, tmp);
    expect((await backend.getImage("rhels9.4-x86_64-netboot-compute")).rootimgdir).toBe("/install/netboot/rhels9.4/x86_64/compute");
  });
});
