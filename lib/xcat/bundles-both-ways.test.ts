/**
 * Bundles move both ways between the local backend and xCAT:
 * - a bundle the local backend exports imports into the fake xCAT's imgimport (which checks the manifest as
 *   imgport.pm's verify_manifest does) and lands where real imgimport put a real imgexport bundle (section 72
 *   of xcat-transcripts-nodes.md: kernel, initrd and archive in the new rootimgdir, profile files in
 *   /install/custom/netboot/rh), not in the product's data directory (section 78) and not refused (section 76);
 * - a bundle written by the fake xCAT's imgexport, laid out as real imgexport's (sections 70, 73), imports into
 *   the local backend with its files, attributes and usercomment.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDatabase } from "./test-db";
import { loadTranscripts } from "./transcripts";

const dir = createTempDatabase("bundles-both-ways-");
const { LocalBackend } = await import("./local-backend");
const FAKE = path.join(process.cwd(), "test/fake-xcat");
const transcripts = loadTranscripts(path.join(process.cwd(), "test/fake-xcat/xcat-transcripts-nodes.md"));
const install = path.join(dir, "install");
const backend = new LocalBackend(path.join(dir, "images"), { installdir: install });
const env = {
  ...process.env,
  XCATROOT: FAKE,
  FAKE_XCAT_STATE: path.join(dir, "state.json"),
  FAKE_XCAT_LOG: "",
  FAKE_XCAT_HOST: "mgmt",
  FAKE_XCAT_SHARE: path.join(dir, "share"),
  ROOTIMG_XCAT_LOCK_DIR: path.join(dir, "lock"),
};
const fake = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(path.join(FAKE, "bin", cmd), args, { cwd, env, encoding: "utf8" });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
};
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
/** The bundle file a recorded `cd DIR && imgimport BUNDLE ...` line names. */
const parseCommandBundle = (line: string) => /imgimport (\S+)/.exec(line)![1];

describe("bundles between the local backend and xCAT", () => {
  it("a local export imports into xCAT like a real imgexport bundle (section 72), not as in sections 76 and 78", async () => {
    fs.writeFileSync(env.FAKE_XCAT_STATE, JSON.stringify({ site: { installdir: install, timezone: "Universal" }, osimages: {} }));
    // A local image like the one section 78 exported, with its profile files beside it.
    const rootimgdir = path.join(dir, "images", "rhels8-x86_64-netboot-compute");
    fs.mkdirSync(rootimgdir, { recursive: true });
    for (const [f, data] of [
      ["kernel", "K"],
      ["initrd-stateless.gz", "I"],
      ["rootimg.cpio.gz", "R"],
      ["compute.rhels8.x86_64.pkglist", "bash\n"],
      ["compute.rhels8.x86_64.exlist", "./boot*\n"],
    ])
      fs.writeFileSync(path.join(rootimgdir, f), data);
    await backend.registerImage({
      imagename: "rhels8-x86_64-netboot-compute",
      osvers: "rhels8",
      osarch: "x86_64",
      profile: "compute",
      rootimgdir,
      exlist: path.join(rootimgdir, "compute.rhels8.x86_64.exlist"),
      attrs: { pkglist: path.join(rootimgdir, "compute.rhels8.x86_64.pkglist"), usercomment: "probe image" },
    });
    const exports = path.join(dir, "exports");
    fs.mkdirSync(exports);
    const { path: bundle } = await backend.exportBundle({ name: "rhels8-x86_64-netboot-compute", destDir: exports });

    const r = fake("imgimport", [bundle, "-f", "vialocal"], exports);
    const real = transcripts.get("72-imgimport-product-export-renamed")!;
    expect(r).toEqual({
      stdout: real.stdout.replaceAll("/install/", `${install}/`).replaceAll("reimport", "vialocal"),
      stderr: "",
      code: 0,
    });
    expect(r.stdout).not.toContain(path.join(dir, "images"));
    const lsdef = fake("lsdef", ["-t", "osimage", "-o", "rhels8-x86_64-netboot-vialocal"], exports);
    expect(lsdef.stdout).toBe(
      [
        "Object name: rhels8-x86_64-netboot-vialocal",
        `    exlist=${install}/custom/netboot/rh/vialocal.rhels8.x86_64.exlist`,
        "    imagetype=linux",
        "    osarch=x86_64",
        "    osname=Linux",
        "    osvers=rhels8",
        `    pkglist=${install}/custom/netboot/rh/vialocal.rhels8.x86_64.pkglist`,
        "    profile=vialocal",
        "    provmethod=netboot",
        `    rootimgdir=${install}/netboot/rhels8/x86_64/vialocal`,
        "    usercomment=probe image",
        "",
      ].join("\n"),
    );
    expect(fs.readFileSync(`${install}/netboot/rhels8/x86_64/vialocal/initrd-stateless.gz`, "utf8")).toBe("I");

    // Without -f, real imgimport puts the files at the manifest's paths: under the install directory.
    const same = fake("imgimport", [bundle], exports);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain(`${install}/netboot/rhels8/x86_64/compute/rootimg.cpio.gz\n`);
    expect(same.stdout).toContain(`${install}/custom/netboot/rh/compute.rhels8.x86_64.exlist\n`);
  });

  it("the demo image's own bundle, which xCAT refused in section 76, now imports with its initrd", async () => {
    const { ensureDemoImage } = await import("./demo-image");
    const { DEMO_IMAGE_NAME } = await import("./demo-files");
    fs.writeFileSync(env.FAKE_XCAT_STATE, JSON.stringify({ site: { installdir: install, timezone: "Universal" }, osimages: {} }));
    const { dir: demoDir } = await ensureDemoImage({ backend, imagesDir: path.join(dir, "images") });
    const exports = fs.mkdtempSync(path.join(dir, "demo-export-"));
    const { path: bundle } = await backend.exportBundle({ name: DEMO_IMAGE_NAME, destDir: exports });
    const refused = transcripts.get("76-imgimport-local-backend-bundle-renamed")!;
    expect(path.basename(bundle)).toBe(parseCommandBundle(refused.command));
    const xml = spawnSync("tar", ["xzOf", bundle, `./${DEMO_IMAGE_NAME}/manifest.xml`], { encoding: "utf8" }).stdout;
    expect(xml).toContain(`<ramdisk>${install}/netboot/debian12/x86_64/compute/initrd-stateless.gz</ramdisk>`);
    expect(xml).not.toContain(path.join(dir, "images"));

    const r = fake("imgimport", [bundle, "-f", "demo"], exports);
    const target = `${install}/netboot/debian12/x86_64/demo`;
    expect(r).toEqual({
      stdout: [
        "Unbundling image...",
        `${target}/kernel`,
        `${target}/initrd-stateless.gz`,
        `${target}/rootimg.cpio.gz`,
        "Successfully imported the image debian12-x86_64-netboot-demo.",
        "",
      ].join("\n"),
      stderr: "",
      code: 0,
    });
    for (const f of ["kernel", "initrd-stateless.gz", "rootimg.cpio.gz"])
      expect(fs.readFileSync(path.join(target, f)).equals(fs.readFileSync(path.join(demoDir, f))), f).toBe(true);
    // Section 77 found no such object after the refusal; now it is there.
    const lsdef = fake("lsdef", ["-t", "osimage", "-o", "debian12-x86_64-netboot-demo"], exports);
    expect(lsdef.code).toBe(0);
    expect(lsdef.stdout).toContain(`    rootimgdir=${target}\n`);
  }, 120_000);

  it("xCAT refuses a bundle without a ramdisk with its own message (section 76)", () => {
    const real = transcripts.get("76-imgimport-local-backend-bundle-renamed")!;
    const stage = fs.mkdtempSync(path.join(dir, "noramdisk-"));
    fs.mkdirSync(path.join(stage, "img"));
    fs.writeFileSync(
      path.join(stage, "img/manifest.xml"),
      '<?xml version="1.0"?>\n<xcatimage>\n  <kernel>/install/netboot/debian12/x86_64/compute/kernel</kernel>\n  <linuximage>\n    <imagename>img</imagename>\n  </linuximage>\n  <osimage>\n    <imagename>img</imagename>\n    <osarch>x86_64</osarch>\n    <osvers>debian12</osvers>\n    <profile>compute</profile>\n    <provmethod>netboot</provmethod>\n  </osimage>\n  <rootimg>/install/netboot/debian12/x86_64/compute/rootimg.cpio.gz</rootimg>\n</xcatimage>\n',
    );
    spawnSync("tar", ["czf", path.join(dir, "noramdisk.tgz"), "."], { cwd: stage });
    expect(fake("imgimport", [path.join(dir, "noramdisk.tgz"), "-f", "demo"], dir)).toEqual({
      stdout: real.stdout,
      stderr: real.stderr,
      code: real.exitCode,
    });
  });

  it("a bundle from xCAT's imgexport (sections 70, 73) imports into the local backend", async () => {
    const rootimgdir = `${install}/netboot/rhels8/x86_64/imported`;
    fs.mkdirSync(rootimgdir, { recursive: true });
    for (const [f, data] of [
      ["kernel", "K2"],
      ["initrd-stateless.gz", "I2"],
      ["rootimg.cpio.gz", "R2"],
    ])
      fs.writeFileSync(path.join(rootimgdir, f), data);
    fs.mkdirSync(`${install}/custom/netboot/rh`, { recursive: true });
    fs.writeFileSync(`${install}/custom/netboot/rh/imported.rhels8.x86_64.pkglist`, "bash\n");
    fs.writeFileSync(`${install}/custom/netboot/rh/imported.rhels8.x86_64.exlist`, "./usr/share/man*\n");
    fs.writeFileSync(
      env.FAKE_XCAT_STATE,
      JSON.stringify({
        site: { installdir: install, timezone: "Universal" },
        osimages: {
          "rhels8-x86_64-netboot-imported": {
            exlist: `${install}/custom/netboot/rh/imported.rhels8.x86_64.exlist`,
            imagetype: "linux",
            osarch: "x86_64",
            osname: "Linux",
            osvers: "rhels8",
            pkglist: `${install}/custom/netboot/rh/imported.rhels8.x86_64.pkglist`,
            profile: "imported",
            provmethod: "netboot",
            rootimgdir,
            usercomment: "probe image",
          },
        },
      }),
    );
    const out = path.join(dir, "xcat-export");
    fs.mkdirSync(out);
    const r = fake("imgexport", ["rhels8-x86_64-netboot-imported"], out);
    const real = transcripts.get("73-imgexport-imported")!;
    const norm = (s: string) => s.replace(/imgexport\.\d+\.\w{6}/, "imgexport.PID.X");
    expect(norm(r.stdout)).toBe(norm(real.stdout.replaceAll("/install/", `${install}/`).replaceAll("/root/export", out)));

    const imported = await backend.importBundle({ bundlePath: path.join(out, "rhels8-x86_64-netboot-imported.tgz") });
    expect(imported.imagename).toBe("rhels8-x86_64-netboot-imported");
    const img = await backend.getImage("rhels8-x86_64-netboot-imported");
    const here = path.join(dir, "images", "rhels8-x86_64-netboot-imported");
    expect(img).toMatchObject({
      osvers: "rhels8",
      osarch: "x86_64",
      profile: "imported",
      provmethod: "netboot",
      rootimgdir: here,
      exlist: path.join(here, "imported.rhels8.x86_64.exlist"),
    });
    expect(img.attrs).toMatchObject({
      usercomment: "probe image",
      pkglist: path.join(here, "imported.rhels8.x86_64.pkglist"),
      imagetype: "linux",
    });
    for (const [f, data] of [
      ["kernel", "K2"],
      ["initrd-stateless.gz", "I2"],
      ["rootimg.cpio.gz", "R2"],
      ["imported.rhels8.x86_64.pkglist", "bash\n"],
    ])
      expect(fs.readFileSync(path.join(here, f), "utf8")).toBe(data);
  });
});
