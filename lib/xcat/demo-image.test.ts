/**
 * The demo image really boots as an xCAT node does: built and packed by the product, booted in QEMU (software
 * emulation) with the Debian kernel it ships and its initrd-stateless.gz, which unpacks rootimg.cpio.gz into a
 * tmpfs and switches to it; the image's /init prints the pack's stamp (IMAGEUUID from opt/xcat/xcatinfo) and
 * powers off.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDatabase } from "./test-db";

const dir = createTempDatabase("demo-image-");
const { LocalBackend } = await import("./local-backend");
const { ensureDemoImage, DEMO_IMAGE_NAME } = await import("./demo-image");
const { withRootimg } = await import("./demo-initrd");
const { listVersions } = await import("@/lib/images/versions");

describe("demo image", () => {
  it("is created once, registered with xCAT's attributes, and boots in QEMU printing its stamp", async () => {
    const imagesDir = path.join(dir, "images");
    const backend = new LocalBackend(imagesDir);
    const first = await ensureDemoImage({ backend, imagesDir });
    expect(first.created).toBe(true);
    expect((await ensureDemoImage({ backend, imagesDir })).created).toBe(false);
    const img = await backend.getImage(DEMO_IMAGE_NAME);
    expect(img).toMatchObject({ osvers: "debian12", osarch: "x86_64", profile: "compute", provmethod: "netboot", rootimgdir: first.dir });
    expect(fs.existsSync(path.join(first.dir, "rootimg"))).toBe(false); // starts "packed only"
    const [v] = await listVersions(DEMO_IMAGE_NAME);
    expect(v.stampUuid).toMatch(/^[0-9a-f-]{36}$/);

    const list = execFileSync("bsdtar", ["-tvf", path.join(first.dir, "rootimg.cpio.gz")], { encoding: "utf8" });
    expect(list).toMatch(/^-rwsr-xr-x .* usr\/local\/sbin\/suid-helper$/m);
    expect(list).toMatch(/^p.* var\/spool\/demo\.fifo$/m);
    expect(list).toMatch(/^c.* dev\/console$/m);
    expect(list).toMatch(/^l.* etc\/localtime -> \/usr\/share\/zoneinfo\/UTC$/m);
    expect(list).toMatch(/^-rw-r--r-- .* usr\/share\/zoneinfo\/UTC$/m); // the link target ships in the image
    expect(list).toMatch(/^-\S+\s+2 .* usr\/local\/bin\/hello-again link to usr\/local\/bin\/hello$/m);

    const initrd = path.join(first.dir, "initrd-stateless.gz");
    const initrdList = execFileSync("bsdtar", ["-tvf", initrd], { encoding: "utf8" });
    expect(initrdList).toMatch(/^-rwxr-xr-x .* init$/m);
    expect(initrdList).toMatch(/^-rwxr-xr-x .* bin\/busybox$/m);
    // An existing demo image without an initrd gets one.
    fs.rmSync(initrd);
    expect((await ensureDemoImage({ backend, imagesDir })).created).toBe(false);
    expect(fs.existsSync(initrd)).toBe(true);

    const joined = path.join(dir, "initrd-with-rootimg");
    withRootimg(initrd, path.join(first.dir, "rootimg.cpio.gz"), joined);
    const boot = spawnSync(
      "qemu-system-x86_64",
      [
        "-accel",
        "tcg",
        "-m",
        "512",
        "-nographic",
        "-no-reboot",
        "-nic",
        "none",
        "-kernel",
        path.join(first.dir, "kernel"),
        "-initrd",
        joined,
        "-append",
        // no_timer_check: under software emulation on a busy machine the IO-APIC timer check can fail and panic
        "console=ttyS0 panic=-1 no_timer_check quiet",
      ],
      { encoding: "utf8", timeout: 90_000 },
    );
    expect(boot.stdout).toContain("xcatroot: rootimg.cpio.gz unpacked into a tmpfs");
    expect(boot.stdout).toContain("=== Rootimg Studio demo image: demo-compute booted ===");
    expect(boot.stdout).toContain(`IMAGENAME='${DEMO_IMAGE_NAME}'`);
    expect(boot.stdout).toContain(`IMAGEUUID='${v.stampUuid}'`);
    expect(boot.stdout).toContain("hpcuser:1001");
    expect(boot.stdout).toContain("=== demo image done, powering off ===");
  }, 120_000);
});

// The temp data dir (database, images) of this file.
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
