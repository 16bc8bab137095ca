import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { addedByPackingLines, imageTimezone } from "./pack-additions";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-additions-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("pack additions", () => {
  it("logs one line per change, counting what lies below an added or replaced directory on its line", () => {
    const post = "xCAT postscripts";
    expect(
      addedByPackingLines([
        { path: "etc/localtime", change: "replaced", reason: "site.timezone UTC" },
        { path: "etc/shadow", change: "replaced", reason: "root" },
        { path: "xcatpost", change: "replaced", reason: post },
        { path: "xcatpost/_ssh", change: "added", reason: post },
        { path: "xcatpost/_ssh/authorized_keys", change: "added", reason: post },
        { path: "xcatpost/old", change: "removed", reason: post },
        { path: "xcatpost/syslog", change: "replaced", reason: post },
        { path: "xcatpost/synced", change: "added", reason: "synclist /x" },
      ]),
    ).toEqual([
      "added by packing: replaced etc/localtime (site.timezone UTC)",
      "added by packing: replaced etc/shadow (root)",
      "added by packing: replaced xcatpost and below it 2 added, 1 replaced, 1 removed (xCAT postscripts)",
      "added by packing: added xcatpost/synced (synclist /x)",
    ]);
  });

  it("reads the zone an image's etc/localtime names (local backend), absolute or relative, never outside zoneinfo", () => {
    const tree = path.join(dir, "t");
    fs.mkdirSync(path.join(tree, "etc"), { recursive: true });
    const at = (target: string) => {
      fs.rmSync(path.join(tree, "etc/localtime"), { force: true });
      fs.symlinkSync(target, path.join(tree, "etc/localtime"));
      return imageTimezone(tree);
    };
    expect(at("/usr/share/zoneinfo/Europe/Paris")).toBe("Europe/Paris");
    expect(at("../usr/share/zoneinfo/UTC")).toBe("UTC");
    expect(at("/usr/share/zoneinfo/../../../etc/shadow")).toBeUndefined();
    expect(at("/etc/other")).toBeUndefined();
    fs.rmSync(path.join(tree, "etc/localtime"));
    expect(imageTimezone(tree)).toBeUndefined();
  });
});
