import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareWalkOrder, type PackOverlay, previewOverlayChanges } from "./pack-overlay.ts";
import { packTree } from "./pack-tree.ts";
import { listTree, sh, tmp } from "./test-fixtures.ts";
import { unpackArchive } from "./unpack-archive.ts";

const work = tmp("arch-overlay-");
const tree = path.join(work, "rootimg");
const host = path.join(work, "install/postscripts");
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(() => {
  mkdirSync(path.join(tree, "etc"), { recursive: true });
  mkdirSync(path.join(tree, "xcatpost/stale"), { recursive: true });
  writeFileSync(path.join(tree, "xcatpost/stale/old-script"), "old\n");
  writeFileSync(path.join(tree, "etc/shadow"), "root:$6$mine:19000:0:99999:7:::\nhpc:!:19000::::::\n");
  chmodSync(path.join(tree, "etc/shadow"), 0o640);
  chownSync(path.join(tree, "etc/shadow"), 0, 42);
  symlinkSync("/usr/share/zoneinfo/UTC", path.join(tree, "etc/localtime"));
  writeFileSync(path.join(tree, "etc/motd"), "hi\n");
  mkdirSync(path.join(host, "_ssh"), { recursive: true });
  writeFileSync(path.join(host, "xcatdsklspost"), "#!/bin/sh\n");
  chmodSync(path.join(host, "xcatdsklspost"), 0o755);
  writeFileSync(path.join(host, "_ssh/authorized_keys"), "ssh-ed25519 AAAA root@mn\n");
});

const overlay = (shadow: string): PackOverlay => ({
  replace: ["xcatpost"],
  entries: [
    { path: "xcatpost", dir: true, reason: "xCAT postscripts" },
    { path: "xcatpost/_ssh", source: path.join(host, "_ssh"), uid: 0, gid: 0, reason: "xCAT postscripts" },
    { path: "xcatpost/_ssh/authorized_keys", source: path.join(host, "_ssh/authorized_keys"), uid: 0, gid: 0, reason: "xCAT postscripts" },
    { path: "xcatpost/xcatdsklspost", source: path.join(host, "xcatdsklspost"), uid: 0, gid: 0, reason: "xCAT postscripts" },
    { path: "opt/xcat/xcatdsklspost", source: path.join(host, "xcatdsklspost"), mode: 0o755, uid: 0, gid: 0, reason: "boot script" },
    { path: "etc/shadow", content: shadow, mode: 0o640, uid: 0, gid: 42, reason: "root password" },
    { path: "etc/localtime", target: "../usr/share/zoneinfo/Europe/Paris", reason: "site.timezone" },
  ],
});

describe("pack overlay (packimage's tree changes applied to the archive only)", () => {
  it("orders paths as the tree walk does", () => {
    const sorted = ["", "a", "a/b", "a/b/c", "a-b", "ab", "b"];
    expect([...sorted].reverse().sort(compareWalkOrder)).toEqual(sorted);
  });

  it("puts the overlay into the archive, reports it, and leaves the tree as it was", async () => {
    const before = listTree(tree);
    const archive = path.join(work, "rootimg.cpio.gz");
    const r = await packTree({ tree, archive, overlay: overlay("root:$5$x:13880:0:99999:7:::\nhpc:!:19000::::::\n") });
    expect(listTree(tree)).toEqual(before);
    expect(readFileSync(path.join(tree, "etc/shadow"), "utf8")).toContain("root:$6$mine:");

    const out = path.join(work, "out");
    await unpackArchive({ archive, dest: out });
    expect(readFileSync(path.join(out, "etc/shadow"), "utf8")).toBe("root:$5$x:13880:0:99999:7:::\nhpc:!:19000::::::\n");
    expect(readFileSync(path.join(out, "xcatpost/_ssh/authorized_keys"), "utf8")).toContain("root@mn");
    const listing = sh("cpio", ["-tv", "--quiet", "--numeric-uid-gid"], { input: gunzipSync(readFileSync(archive)) }).toString();
    expect(listing).toMatch(/^-rw-r-----\s+1 0\s+42 .* etc\/shadow$/m);
    expect(listing).toMatch(/^lrwxrwxrwx .* etc\/localtime -> \.\.\/usr\/share\/zoneinfo\/Europe\/Paris$/m);
    expect(listing).toMatch(/^drwxr-xr-x .* 0\s+0 .* opt$/m); // mkdir -p of a missing parent
    expect(listing).toMatch(/^-rwxr-xr-x .* opt\/xcat\/xcatdsklspost$/m);
    expect(listing).not.toContain("stale");
    const names = listing
      .trim()
      .split("\n")
      .map((l) =>
        l
          .split(/\s+/)
          .slice(8)
          .join(" ")
          .replace(/ -> .*/, ""),
      );
    expect(names).toEqual([
      ".",
      "etc",
      "etc/localtime",
      "etc/motd",
      "etc/shadow",
      "opt",
      "opt/xcat",
      "opt/xcat/xcatdsklspost",
      "xcatpost",
      "xcatpost/_ssh",
      "xcatpost/_ssh/authorized_keys",
      "xcatpost/xcatdsklspost",
    ]);

    expect(r.overlayChanges).toEqual([
      { path: "etc/localtime", change: "replaced", reason: "site.timezone" },
      { path: "etc/shadow", change: "replaced", reason: "root password" },
      { path: "opt", change: "added", reason: "boot script" },
      { path: "opt/xcat", change: "added", reason: "boot script" },
      { path: "opt/xcat/xcatdsklspost", change: "added", reason: "boot script" },
      { path: "xcatpost", change: "replaced", reason: "xCAT postscripts" },
      { path: "xcatpost/_ssh", change: "added", reason: "xCAT postscripts" },
      { path: "xcatpost/_ssh/authorized_keys", change: "added", reason: "xCAT postscripts" },
      { path: "xcatpost/stale", change: "removed", reason: "xCAT postscripts" },
      { path: "xcatpost/stale/old-script", change: "removed", reason: "xCAT postscripts" },
      { path: "xcatpost/xcatdsklspost", change: "added", reason: "xCAT postscripts" },
    ]);
  });

  it("the preview before a pack reports exactly what the pack reports, without staging anything", async () => {
    const o = overlay("root:$5$p:13880:0:99999:7:::\n");
    // a file where the tree has a directory: the directory's content is left out too
    mkdirSync(path.join(tree, "etc/motd.d"), { recursive: true });
    writeFileSync(path.join(tree, "etc/motd.d/welcome"), "hi\n");
    o.entries.push({ path: "etc/motd.d", content: "one file now\n", reason: "synclist" });
    const preview = await previewOverlayChanges(tree, o);
    const stage = path.join(work, ".rootimg-studio");
    rmSync(stage, { recursive: true, force: true });
    expect(await previewOverlayChanges(tree, o)).toEqual(preview);
    expect(() => readFileSync(path.join(stage, "rootimg/overlay/etc/shadow"))).toThrow(); // nothing staged by the preview
    const r = await packTree({ tree, archive: path.join(work, "preview.cpio.gz"), overlay: o });
    expect(preview).toEqual(r.overlayChanges);
    expect(preview).toContainEqual({ path: "etc/motd.d/welcome", change: "removed", reason: "synclist" });
    rmSync(path.join(tree, "etc/motd.d"), { recursive: true });
  });

  it("an unchanged overlay repacks incrementally (staged files keep their identity); a changed one rebuilds its member", async () => {
    const archive = path.join(work, "inc.cpio.gz");
    const o = overlay("root:$5$y:13880:0:99999:7:::\n");
    await packTree({ tree, archive, overlay: o, memberSize: 64 });
    const again = await packTree({ tree, archive, overlay: o, memberSize: 64 });
    expect(again.membersReused).toBe(again.members - 1); // all but the trailer
    const changed = await packTree({ tree, archive, overlay: overlay("root:$5$z:13880:0:99999:7:::\n"), memberSize: 64 });
    expect(changed.membersReused).toBeLessThan(changed.members - 1);
    expect(gunzipSync(readFileSync(archive)).toString("latin1")).toContain("root:$5$z:");
  });

  it("refuses overlay paths that would leave the image", async () => {
    for (const p of ["../etc/x", "/etc/x", "etc/../../x", ""])
      await expect(
        packTree({ tree, archive: path.join(work, "bad.cpio.gz"), overlay: { entries: [{ path: p, content: "x", reason: "t" }] } }),
      ).rejects.toThrow(/not a plain path/);
  });
});
