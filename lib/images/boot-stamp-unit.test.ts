import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packTree, unpackArchive } from "@/lib/archive";
import { bootStampEntries, STAMP_UNIT } from "./boot-stamp-unit";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "boot-stamp-unit-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function tree(name: string, systemd: boolean): string {
  const t = path.join(dir, name);
  fs.mkdirSync(path.join(t, "usr/lib/systemd"), { recursive: true });
  fs.mkdirSync(path.join(t, "etc/systemd/system"), { recursive: true });
  if (systemd) fs.writeFileSync(path.join(t, "usr/lib/systemd/systemd"), "ELF");
  return t;
}

describe("boot stamp unit of systemd images", () => {
  it("is packed into a systemd image's archive, enabled for sysinit.target, and leaves the tree as it was", async () => {
    const t = tree("sd", true);
    const archive = path.join(dir, "sd.cpio.gz");
    const r = await packTree({ tree: t, archive, stamp: "img-sd", overlay: { entries: bootStampEntries(t) } });
    expect(r.overlayChanges.map((c) => `${c.change} ${c.path}`)).toEqual(
      expect.arrayContaining([`added etc/systemd/system/${STAMP_UNIT}`, `added etc/systemd/system/sysinit.target.wants/${STAMP_UNIT}`]),
    );
    expect(fs.existsSync(path.join(t, "etc/systemd/system", STAMP_UNIT))).toBe(false);
    const out = path.join(dir, "sd-out");
    await unpackArchive({ archive, dest: out });
    const unit = fs.readFileSync(path.join(out, "etc/systemd/system", STAMP_UNIT), "utf8");
    expect(unit).toContain("ExecStart=/bin/cat /opt/xcat/xcatinfo");
    expect(unit).toContain("TTYPath=/dev/console");
    expect(fs.readlinkSync(path.join(out, "etc/systemd/system/sysinit.target.wants", STAMP_UNIT))).toBe(`../${STAMP_UNIT}`);
    // the stamp it prints is the one this pack wrote
    expect(fs.readFileSync(path.join(out, "opt/xcat/xcatinfo"), "utf8")).toContain(`IMAGEUUID='${r.uuid}'`);
  });

  it("adds nothing to an image without systemd (its own /init prints the stamp)", () => {
    expect(bootStampEntries(tree("busybox", false))).toEqual([]);
  });
});
