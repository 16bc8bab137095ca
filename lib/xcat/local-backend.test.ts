import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTgz } from "./bundle/make-tar";
import { buildManifest } from "./bundle/manifest-xml";
import { createTempDatabase } from "./test-db";

const dir = createTempDatabase("local-backend-");
const imagesDir = path.join(dir, "images");
const { LocalBackend } = await import("./local-backend");
const backend = new LocalBackend(imagesDir);

const manifest = (name: string) =>
  buildManifest({
    osimage: { imagename: name, osvers: "debian12", osarch: "x86_64", profile: "compute", provmethod: "netboot", imagetype: "linux" },
    linuximage: {
      imagename: name,
      rootimgdir: `/install/netboot/debian12/x86_64/compute`,
      comments: "probe image",
      exlist: "/install/custom/netboot/debian/compute.debian12.x86_64.exlist",
    },
    kernel: "/install/netboot/debian12/x86_64/compute/kernel",
    ramdisk: "/install/netboot/debian12/x86_64/compute/initrd-stateless.gz",
    rootimg: "/install/netboot/debian12/x86_64/compute/rootimg.cpio.gz",
  });

function writeBundle(file: string, entries: Parameters<typeof makeTgz>[0]) {
  fs.writeFileSync(file, makeTgz(entries));
  return file;
}

async function refused(file: string) {
  const before = fs.existsSync(imagesDir) ? fs.readdirSync(imagesDir).filter((f) => f !== ".tmp") : [];
  const err = await backend.importBundle({ bundlePath: file }).catch((e) => e);
  expect(fs.existsSync(imagesDir) ? fs.readdirSync(imagesDir).filter((f) => f !== ".tmp") : []).toEqual(before);
  expect(fs.existsSync(path.join(imagesDir, ".tmp")) ? fs.readdirSync(path.join(imagesDir, ".tmp")) : []).toEqual([]);
  return err;
}

describe("local backend (real database, real files)", () => {
  beforeAll(() => fs.mkdirSync(imagesDir, { recursive: true }));

  it("imports a bundle in xCAT's layout and registers it with xCAT's attribute names", async () => {
    const b = writeBundle(path.join(dir, "good.tgz"), [
      { name: "./", type: "5" },
      { name: "./img1/", type: "5" },
      { name: "./img1/manifest.xml", data: manifest("img1") },
      { name: "./img1/kernel", data: "KERNEL" },
      { name: "./img1/initrd-stateless.gz", data: "INITRD" },
      { name: "./img1/rootimg.cpio.gz", data: "ARCHIVE" },
      { name: "./img1/compute.debian12.x86_64.exlist", data: "./boot*\n" },
    ]);
    const r = await backend.importBundle({ bundlePath: b });
    expect(r.imagename).toBe("img1");
    const img = await backend.getImage("img1");
    expect(img).toMatchObject({
      osvers: "debian12",
      osarch: "x86_64",
      profile: "compute",
      provmethod: "netboot",
      rootimgdir: path.join(imagesDir, "img1"),
    });
    expect(fs.readFileSync(path.join(imagesDir, "img1/kernel"), "utf8")).toBe("KERNEL");
    // linuximage.comments is xCAT's usercomment; the exlist lives beside the image
    expect(img.attrs.usercomment).toBe("probe image");
    expect(img.exlist).toBe(path.join(imagesDir, "img1/compute.debian12.x86_64.exlist"));
    expect((await backend.listImages()).map((i) => i.imagename)).toEqual(["img1"]);
  });

  it("refuses an image that exists, changing nothing", async () => {
    const err = await refused(path.join(dir, "good.tgz"));
    expect(err.code).toBe("conflict");
    expect(err.message).toMatch(/img1 already exists/);
  });

  it("refuses a bundle without manifest.xml", async () => {
    const err = await refused(writeBundle(path.join(dir, "nomanifest.tgz"), [{ name: "./img2/kernel", data: "K" }]));
    expect(err.message).toMatch(/Failed to find manifest.xml file in image bundle/);
  });

  it("refuses paths escaping the target and links", async () => {
    const esc = await refused(
      writeBundle(path.join(dir, "escape.tgz"), [
        { name: "./img3/manifest.xml", data: manifest("img3") },
        { name: "../../etc/evil", data: "x" },
      ]),
    );
    expect(esc.code).toBe("unprocessable");
    expect(esc.message).toMatch(/path escapes the target: "..\/..\/etc\/evil"/);
    expect(fs.existsSync(path.join(dir, "etc/evil"))).toBe(false);
    const abs = await refused(writeBundle(path.join(dir, "abs.tgz"), [{ name: "/tmp/evil-abs", data: "x" }]));
    expect(abs.message).toMatch(/absolute path/);
    const link = await refused(writeBundle(path.join(dir, "link.tgz"), [{ name: "./img4/kernel", type: "2", linkname: "/etc/shadow" }]));
    expect(link.message).toMatch(/symbolic link/);
  });

  it("refuses a truncated bundle", async () => {
    const full = fs.readFileSync(path.join(dir, "good.tgz"));
    fs.writeFileSync(path.join(dir, "trunc.tgz"), full.subarray(0, Math.floor(full.length / 2)));
    const err = await refused(path.join(dir, "trunc.tgz"));
    expect(err.message).toMatch(/truncated/);
  });

  it("exports a bundle real tar and our importer both read, then deletes and re-imports it", async () => {
    const out = fs.mkdtempSync(path.join(dir, "export-"));
    const r = await backend.exportBundle({ name: "img1", destDir: out });
    expect(r.path).toBe(path.join(out, "img1.tgz"));
    const list = execFileSync("tar", ["tzf", r.path], { encoding: "utf8" }).split("\n");
    expect(list).toEqual(
      expect.arrayContaining([
        "./img1/manifest.xml",
        "./img1/kernel",
        "./img1/initrd-stateless.gz",
        "./img1/rootimg.cpio.gz",
        "./img1/compute.debian12.x86_64.exlist",
      ]),
    );
    const xml = execFileSync("tar", ["xzOf", r.path, "./img1/manifest.xml"], { encoding: "utf8" });
    // Paths as xCAT's imgexport writes them (under the install directory), never the product's data directory.
    expect(xml).not.toContain(imagesDir);
    expect(xml).toContain("<rootimg>/install/netboot/debian12/x86_64/compute/rootimg.cpio.gz</rootimg>");
    expect(xml).toContain("<ramdisk>/install/netboot/debian12/x86_64/compute/initrd-stateless.gz</ramdisk>");
    expect(xml).toMatch(
      /<linuximage>[\s\S]*<comments>probe image<\/comments>[\s\S]*<exlist>\/install\/custom\/netboot\/debian\/compute.debian12.x86_64.exlist<\/exlist>[\s\S]*<\/linuximage>/,
    );
    expect(xml).not.toMatch(/<osimage>[\s\S]*<comments>[\s\S]*<\/osimage>/);
    await backend.deleteImage("img1");
    expect(fs.existsSync(path.join(imagesDir, "img1"))).toBe(false);
    await backend.importBundle({ bundlePath: r.path, profile: "copy" });
    const copy = await backend.getImage("debian12-x86_64-netboot-copy");
    expect(copy.profile).toBe("copy");
    expect(fs.readFileSync(path.join(copy.rootimgdir, "rootimg.cpio.gz"), "utf8")).toBe("ARCHIVE");
  });

  it("refuses to export an image without initrd-stateless.gz (xCAT's imgimport would refuse the bundle)", async () => {
    const copy = await backend.getImage("debian12-x86_64-netboot-copy");
    fs.rmSync(path.join(copy.rootimgdir, "initrd-stateless.gz"));
    const err = await backend.exportBundle({ name: copy.imagename, destDir: dir }).catch((e) => e);
    expect(err.code).toBe("conflict");
    expect(err.message).toMatch(/no initrd-stateless.gz .* refuses a netboot bundle without a ramdisk/);
  });
});

// The temp data dir (database, images) of this file.
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
