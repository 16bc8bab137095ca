import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readImageFile } from "@/lib/image/read-image-file";
import { buildDemoTree } from "./demo-image";
import { minimalUtcTzif, utcZoneinfo } from "./utc-zoneinfo";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "utc-zoneinfo-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("the demo image's UTC zone file", () => {
  it("is the host's tzdata file when present, and the built-in one is a TZif v2 for UTC", () => {
    const tz = minimalUtcTzif();
    expect(tz.subarray(0, 5).toString("latin1")).toBe("TZif2");
    expect(tz.subarray(-6).toString("latin1")).toBe("\nUTC0\n");
    // Debian's tzdata UTC has exactly this layout: the built-in file is byte-identical to it
    if (fs.existsSync("/usr/share/zoneinfo/UTC")) {
      expect(utcZoneinfo().equals(fs.readFileSync("/usr/share/zoneinfo/UTC"))).toBe(true);
      expect(tz.equals(fs.readFileSync("/usr/share/zoneinfo/UTC"))).toBe(true);
    }
    expect(utcZoneinfo(path.join(tmp, "no-such-zone")).equals(tz)).toBe(true);
  });

  it("makes /etc/localtime of the demo tree resolve inside the image, not dangle", () => {
    const root = path.join(tmp, "rootimg");
    buildDemoTree(root);
    expect(fs.readlinkSync(path.join(root, "etc/localtime"))).toBe("/usr/share/zoneinfo/UTC");
    const inImage = fs.readFileSync(path.join(root, "usr/share/zoneinfo/UTC"));
    expect(inImage.subarray(0, 4).toString("latin1")).toBe("TZif");
    // opened the way the editor opens it: the absolute target resolves under the image root
    const f = readImageFile(root, "/etc/localtime");
    expect(f.entry.size).toBe(inImage.length);
    expect(f.etag).toBe(readImageFile(root, "/usr/share/zoneinfo/UTC").etag);
  });
});
