import "@/lib/db/test-database";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { withInitArg } from "./test-hosts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "init-arg-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string | { link: string }>): string {
  const t = path.join(dir, name);
  fs.mkdirSync(t);
  for (const [p, v] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(t, p)), { recursive: true });
    if (typeof v === "string") fs.writeFileSync(path.join(t, p), v);
    else fs.symlinkSync(v.link, path.join(t, p));
  }
  return t;
}

describe("a test host's init argument", () => {
  it("boots /sbin/init of an image without /init (merged /usr, systemd), keeping the host's arguments", () => {
    const debian = tree("debian", { "usr/sbin/init": { link: "/lib/systemd/systemd" }, sbin: { link: "usr/sbin" } });
    expect(withInitArg("", debian)).toBe("rdinit=/sbin/init");
    expect(withInitArg("quiet loglevel=3", debian)).toBe("rdinit=/sbin/init quiet loglevel=3");
  });

  it("leaves alone an image with its own /init, a host that names an init, and an image never unpacked", () => {
    const busybox = tree("busybox", { init: "#!/bin/sh\n", "sbin/init": { link: "../bin/busybox" } });
    expect(withInitArg("quiet", busybox)).toBe("quiet");
    const debian = tree("debian2", { "sbin/init": { link: "/lib/systemd/systemd" } });
    expect(withInitArg("rdinit=/bin/sh", debian)).toBe("rdinit=/bin/sh");
    expect(withInitArg("quiet", path.join(dir, "absent"))).toBe("quiet");
  });
});
