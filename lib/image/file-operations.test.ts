import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { changeAttributes } from "./change-attributes";
import { createEntry } from "./create-entry";
import { deleteEntry } from "./delete-entry";
import { downloadEntry } from "./download-entry";
import { listDirectory, statEntry } from "./list-directory";
import { renameEntry } from "./rename-entry";
import { searchNames } from "./search-names";
import { makeTestImage } from "./test-image";
import { uploadFile } from "./upload-file";

let img: ReturnType<typeof makeTestImage>;
beforeEach(() => {
  img = makeTestImage();
});
afterEach(() => img.cleanup());
const host = (p: string) => path.join(img.root, p);
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as AppError).code;
  }
};

describe("listDirectory / statEntry", () => {
  it("lists entries with owner names from the image, link targets and dangling links", () => {
    fs.chownSync(host("etc/motd"), 4242, 4343);
    fs.symlinkSync("/nowhere", host("etc/dangling"));
    const { entries } = listDirectory(img.root, "/etc");
    const motd = entries.find((e) => e.name === "motd");
    expect(motd).toMatchObject({ type: "file", user: "munge", group: "munge", octal: "0644", symbolic: "-rw-r--r--", nlink: 1 });
    expect(entries.find((e) => e.name === "localtime")).toMatchObject({
      type: "symlink",
      target: "/usr/share/zoneinfo/UTC",
      dangling: false,
      targetType: "file",
    });
    expect(entries.find((e) => e.name === "dangling")).toMatchObject({ dangling: true });
    expect(statEntry(img.root, "/tmp")).toMatchObject({ type: "dir", octal: "1777", symbolic: "drwxrwxrwt" });
  });

  it("lists a directory of 10,000 entries", () => {
    fs.mkdirSync(host("big"));
    for (let i = 0; i < 10_000; i++) fs.writeFileSync(host(`big/f${i}`), "");
    const { entries } = listDirectory(img.root, "/big");
    expect(entries.length).toBe(10_000);
  });
});

describe("changeAttributes", () => {
  it("sets mode with special bits and owner/group by the image's names or numbers", () => {
    const { after } = changeAttributes({ root: img.root, path: "/etc/motd", mode: "4750", owner: "munge", group: "1" });
    expect(after).toMatchObject({ octal: "4750", symbolic: "-rwsr-x---", uid: 4242, gid: 1, user: "munge", group: "daemon" });
    expect(fs.statSync(host("etc/motd")).mode & 0o7777).toBe(0o4750);
    expect(codeOf(() => changeAttributes({ root: img.root, path: "/etc/motd", owner: "nobody-here" }))).toBe("unprocessable");
  });

  it("changes a symlink's owner without touching its target", () => {
    changeAttributes({ root: img.root, path: "/etc/localtime", owner: "munge" });
    expect(fs.lstatSync(host("etc/localtime")).uid).toBe(4242);
    expect(fs.statSync(host("usr/share/zoneinfo/UTC")).uid).toBe(0);
  });
});

describe("createEntry / renameEntry / deleteEntry", () => {
  it("creates files, directories and symlinks owned like the parent", () => {
    fs.mkdirSync(host("var/lib/munge"), { recursive: true });
    fs.chownSync(host("var/lib/munge"), 4242, 4343);
    expect(createEntry({ root: img.root, path: "/var/lib/munge/seed", type: "file" })).toMatchObject({
      uid: 4242,
      gid: 4343,
      octal: "0644",
      size: 0,
    });
    expect(createEntry({ root: img.root, path: "/var/lib/munge/d", type: "dir" })).toMatchObject({ type: "dir", octal: "0755", uid: 4242 });
    expect(createEntry({ root: img.root, path: "/var/lib/munge/l", type: "symlink", target: "/etc/motd" })).toMatchObject({
      type: "symlink",
      target: "/etc/motd",
    });
    expect(codeOf(() => createEntry({ root: img.root, path: "/etc/motd", type: "file" }))).toBe("conflict");
  });

  it("renames a symlink itself, never its target", () => {
    renameEntry({ root: img.root, from: "/etc/localtime", to: "/etc/localtime.old" });
    expect(fs.readlinkSync(host("etc/localtime.old"))).toBe("/usr/share/zoneinfo/UTC");
    expect(fs.existsSync(host("usr/share/zoneinfo/UTC"))).toBe(true);
    expect(codeOf(() => renameEntry({ root: img.root, from: "/etc", to: "/etc/sub" }))).toBe("unprocessable");
    expect(codeOf(() => renameEntry({ root: img.root, from: "/etc/motd", to: "/etc/passwd" }))).toBe("conflict");
  });

  it("deletes directories recursively without following symlinks out of the image", () => {
    fs.mkdirSync(host("opt/app/sub"), { recursive: true });
    fs.symlinkSync(img.outside, host("opt/app/out"));
    fs.symlinkSync("../../..", host("opt/app/sub/up"));
    const res = deleteEntry({ root: img.root, path: "/opt/app" });
    expect(res.removed).toBe(4);
    expect(fs.existsSync(host("opt/app"))).toBe(false);
    expect(fs.readFileSync(path.join(img.outside, "secret"), "utf8")).toBe("host secret\n");
    expect(fs.existsSync(host("etc/motd"))).toBe(true);
    expect(codeOf(() => deleteEntry({ root: img.root, path: "/" }))).toBe("unprocessable");
  });
});

describe("uploadFile / downloadEntry / searchNames", () => {
  it("streams an upload, owned like the directory, and keeps both on conflict", async () => {
    fs.chownSync(host("etc"), 0, 1);
    const a = await uploadFile({
      root: img.root,
      dir: "/etc",
      name: "motd",
      body: Readable.from([Buffer.from("new motd\n")]),
      onConflict: "rename",
    });
    expect(a.entry.path).toBe("/etc/motd-1");
    expect(a.entry).toMatchObject({ gid: 1, octal: "0644" });
    expect(fs.readFileSync(host("etc/motd"), "utf8")).toBe("Welcome to the compute node\n");
    const b = await uploadFile({
      root: img.root,
      dir: "/etc",
      name: "motd",
      body: Readable.from([Buffer.from("replaced\n")]),
      onConflict: "replace",
    });
    expect(b.replaced).toBe(true);
    expect(fs.readFileSync(host("etc/motd"), "utf8")).toBe("replaced\n");
    await expect(uploadFile({ root: img.root, dir: "/etc", name: "../x", body: Readable.from([]), onConflict: "fail" })).rejects.toThrow(
      AppError,
    );
    expect(fs.readdirSync(host("etc")).filter((n) => n.includes(".rootimg-"))).toEqual([]);
  });

  it("downloads a directory as a tar archive with symlinks kept as links", async () => {
    const d = downloadEntry({ root: img.root, path: "/etc" });
    expect(d.kind).toBe("tar");
    const chunks: Buffer[] = [];
    for await (const c of d.stream) chunks.push(c as Buffer);
    const list = spawnSync("tar", ["-tvf", "-"], { input: Buffer.concat(chunks) }).stdout.toString();
    expect(list).toContain("etc/motd");
    expect(list).toMatch(/etc\/localtime -> \/usr\/share\/zoneinfo\/UTC/);
    const f = downloadEntry({ root: img.root, path: "/etc/motd" });
    expect(f).toMatchObject({ kind: "file", filename: "motd", size: 28 });
    f.stream.destroy();
  });

  it("searches file names over the whole image without following symlinks", async () => {
    fs.symlinkSync("/", host("usr/rootlink"));
    const res = await searchNames({ root: img.root, query: "utc" });
    expect(res.hits).toEqual([{ path: "/usr/share/zoneinfo/UTC", type: "file" }]);
    expect((await searchNames({ root: img.root, query: "*.d", limit: 5 })).hits).toEqual([]);
    expect((await searchNames({ root: img.root, query: "m*d" })).hits.map((h) => h.path)).toEqual(["/etc/motd"]);
  });

  it("viewer freezes the server: a backtracking-bomb pattern is matched in bounded steps (a RegExp would run for hours)", async () => {
    // 49 bytes, the name the backtracking RegExp took 6.4 s on with nine `*?`; fourteen cost ~5^5 times more.
    fs.writeFileSync(host("etc/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "");
    const res = await searchNames({ root: img.root, query: `${"*?".repeat(14)}#` });
    expect(res.hits).toEqual([]);
    expect(res.truncated).toBe(false);
    // a bounded step budget ends a search early, as a truncated result rather than a stall
    const capped = await searchNames({ root: img.root, query: "*?*?*#", maxSteps: 10 });
    expect(capped.truncated).toBe(true);
  });
});
