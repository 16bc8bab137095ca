import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readImageFile } from "./read-image-file";
import { saveImageFile } from "./save-image-file";
import { makeTestImage } from "./test-image";
import { uploadFile } from "./upload-file";

let img: ReturnType<typeof makeTestImage>;
beforeEach(() => {
  img = makeTestImage();
});
afterEach(() => img.cleanup());

const host = (p: string) => path.join(img.root, p);
function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}
/** capability, ACL and a user xattr on one file, as an admin would set them in the image */
function decorate(file: string): void {
  run("setcap", ["cap_net_raw+ep", file]);
  run("setfacl", ["-m", "u:4242:rw", file]);
  run("setfattr", ["-n", "user.origin", "-v", "rootimg-test", file]);
}
function expectDecorated(file: string): void {
  expect(run("getcap", [file])).toContain("cap_net_raw=ep");
  expect(run("getfacl", ["--omit-header", "--numeric", file])).toContain("user:4242:rw-");
  expect(run("getfattr", ["-n", "user.origin", "--only-values", file])).toBe("rootimg-test");
}

describe("extended attributes survive saves and uploads", () => {
  it("a save by rename keeps capabilities, ACLs and other xattrs", async () => {
    fs.writeFileSync(host("usr/ping.conf"), "old\n");
    decorate(host("usr/ping.conf"));
    const ino = fs.statSync(host("usr/ping.conf")).ino;
    const f = readImageFile(img.root, "/usr/ping.conf");
    const res = await saveImageFile({ root: img.root, path: "/usr/ping.conf", content: "new\n", encoding: "utf-8", etag: f.etag });
    expect(res.inPlace).toBe(false);
    expect(fs.statSync(host("usr/ping.conf")).ino).not.toBe(ino);
    expect(fs.readFileSync(host("usr/ping.conf"), "utf8")).toBe("new\n");
    expectDecorated(host("usr/ping.conf"));
    expect(fs.readdirSync(host("usr")).filter((n) => n.includes(".rootimg-"))).toEqual([]);
  });

  it("an in-place save of a hard-linked file keeps the capability the kernel drops on write", async () => {
    fs.writeFileSync(host("usr/tool"), "v1\n");
    fs.linkSync(host("usr/tool"), host("usr/tool.alias"));
    decorate(host("usr/tool"));
    const f = readImageFile(img.root, "/usr/tool");
    const res = await saveImageFile({ root: img.root, path: "/usr/tool", content: "v2\n", encoding: "utf-8", etag: f.etag });
    expect(res.inPlace).toBe(true);
    expect(fs.readFileSync(host("usr/tool.alias"), "utf8")).toBe("v2\n");
    expectDecorated(host("usr/tool.alias"));
  });

  it("a file without xattrs saves normally", async () => {
    const f = readImageFile(img.root, "/etc/motd");
    await saveImageFile({ root: img.root, path: "/etc/motd", content: "plain\n", encoding: "utf-8", etag: f.etag });
    expect(run("getfattr", ["-d", "-m", "-", host("etc/motd")])).toBe("");
  });
});

describe("uploadFile replacing an existing file", () => {
  it("keeps hard-link identity (writes in place), mode, owner and xattrs", async () => {
    fs.writeFileSync(host("usr/shared.bin"), "old content that is longer than the new one\n");
    fs.chownSync(host("usr/shared.bin"), 4242, 4343);
    fs.chmodSync(host("usr/shared.bin"), 0o750);
    fs.linkSync(host("usr/shared.bin"), host("usr/shared.link"));
    decorate(host("usr/shared.bin"));
    const before = fs.statSync(host("usr/shared.bin"));
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0x42); // more than one copy chunk
    const res = await uploadFile({
      root: img.root,
      dir: "/usr",
      name: "shared.bin",
      body: Readable.from([big.subarray(0, 1000), big.subarray(1000)]),
      onConflict: "replace",
    });
    expect(res.replaced).toBe(true);
    expect(res.bytes).toBe(big.length);
    const after = fs.statSync(host("usr/shared.bin"));
    expect(after.ino).toBe(before.ino);
    expect(after.nlink).toBe(2);
    expect(after.mode).toBe(before.mode);
    expect([after.uid, after.gid]).toEqual([4242, 4343]);
    expect(fs.readFileSync(host("usr/shared.link")).equals(big)).toBe(true);
    expectDecorated(host("usr/shared.link"));
    expect(fs.readdirSync(host("usr")).filter((n) => n.includes(".rootimg-"))).toEqual([]);
  });

  it("a replaced single-link file keeps its xattrs", async () => {
    fs.writeFileSync(host("usr/single"), "old\n");
    decorate(host("usr/single"));
    await uploadFile({ root: img.root, dir: "/usr", name: "single", body: Readable.from([Buffer.from("new\n")]), onConflict: "replace" });
    expect(fs.readFileSync(host("usr/single"), "utf8")).toBe("new\n");
    expectDecorated(host("usr/single"));
  });
});

describe("the xattr helper", () => {
  it("serves many saves at once, each file keeping its own attributes", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `usr/f${i}.conf`);
    for (const [i, n] of names.entries()) {
      fs.writeFileSync(host(n), `v${i}\n`);
      run("setfattr", ["-n", "user.which", "-v", `file-${i}`, host(n)]);
      if (i % 3 === 0) run("setcap", ["cap_net_raw+ep", host(n)]);
    }
    const reads = names.map((n) => readImageFile(img.root, `/${n}`));
    const res = await Promise.all(
      names.map((n, i) => saveImageFile({ root: img.root, path: `/${n}`, content: `w${i}\n`, encoding: "utf-8", etag: reads[i].etag })),
    );
    expect(res.every((r) => !r.inPlace)).toBe(true);
    for (const [i, n] of names.entries()) {
      expect(fs.readFileSync(host(n), "utf8")).toBe(`w${i}\n`);
      expect(run("getfattr", ["-n", "user.which", "--only-values", host(n)])).toBe(`file-${i}`);
      if (i % 3 === 0) expect(run("getcap", [host(n)])).toContain("cap_net_raw=ep");
      else expect(run("getcap", [host(n)])).toBe("");
    }
  });
});
