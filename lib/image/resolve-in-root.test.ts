import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { openInRoot } from "./open-in-root";
import { resolveInRoot, withResolved } from "./resolve-in-root";
import { makeTestImage } from "./test-image";

let img: ReturnType<typeof makeTestImage>;
beforeEach(() => {
  img = makeTestImage();
});
afterEach(() => img.cleanup());

function readVia(p: string, followFinal = true): string {
  return withResolved(img.root, p, { followFinal }, (r) => {
    const fd = openInRoot(r, fs.constants.O_RDONLY);
    try {
      return fs.readFileSync(fd, "utf8");
    } finally {
      fs.closeSync(fd);
    }
  });
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof AppError ? e.code : `errno:${(e as NodeJS.ErrnoException).code}`;
  }
  return undefined;
}

describe("resolveInRoot", () => {
  it("resolves a plain path to its canonical image path", () => {
    const r = resolveInRoot(img.root, "/etc//./motd");
    expect(r.path).toBe("/etc/motd");
    expect(r.hostPath).toBe(path.join(fs.realpathSync(img.root), "etc/motd"));
    expect(r.exists).toBe(true);
    r.close();
    expect(readVia("etc/motd")).toBe("Welcome to the compute node\n");
  });

  it("attack: .. stops at the image root", () => {
    expect(readVia("/../../../etc/secret")).toBe("image secret\n");
    expect(code(() => readVia("../outside/secret"))).toBe("not_found");
    const r = resolveInRoot(img.root, "/etc/../../..");
    expect(r.path).toBe("/");
    r.close();
  });

  it("attack: an absolute host path is taken inside the image", () => {
    const hostSecret = path.join(img.outside, "secret");
    expect(code(() => readVia(hostSecret))).toBe("not_found");
    // the image has its own /etc/secret: an absolute path means the image's file, not the host's
    expect(readVia("/etc/secret")).toBe("image secret\n");
  });

  it("attack: an absolute symlink resolves inside the image (/etc/localtime -> image zoneinfo)", () => {
    expect(readVia("/etc/localtime")).toBe("TZif2 image zone\n");
    fs.symlinkSync("/etc/secret", path.join(img.root, "abs-link"));
    expect(readVia("/abs-link")).toBe("image secret\n");
    fs.symlinkSync(path.join(img.outside, "secret"), path.join(img.root, "abs-out"));
    expect(code(() => readVia("/abs-out"))).toBe("not_found");
  });

  it("attack: a relative symlink pointing out stops at the image root", () => {
    fs.symlinkSync("../../../../outside/secret", path.join(img.root, "etc/rel-out"));
    expect(code(() => readVia("/etc/rel-out"))).toBe("not_found");
    fs.symlinkSync("../../../../etc/secret", path.join(img.root, "etc/rel-in"));
    expect(readVia("/etc/rel-in")).toBe("image secret\n");
    // a directory symlink pointing out, used as an intermediate component
    fs.symlinkSync("../../..", path.join(img.root, "etc/up"));
    expect(code(() => readVia("/etc/up/outside/secret"))).toBe("not_found");
    expect(readVia("/etc/up/etc/motd")).toBe("Welcome to the compute node\n");
  });

  it("attack: symlink loops fail like ELOOP", () => {
    fs.symlinkSync("b", path.join(img.root, "a"));
    fs.symlinkSync("a", path.join(img.root, "b"));
    fs.symlinkSync("self", path.join(img.root, "self"));
    expect(code(() => readVia("/a"))).toBe("unprocessable");
    expect(code(() => readVia("/self/x"))).toBe("unprocessable");
  });

  it("attack: a parent directory swapped for a symlink between check and use is not followed", () => {
    fs.mkdirSync(path.join(img.root, "d"));
    fs.writeFileSync(path.join(img.root, "d/f"), "inside\n");
    const r = resolveInRoot(img.root, "/d/f");
    // attacker (e.g. a chroot command) swaps the directory for a link to the host's secret dir
    fs.renameSync(path.join(img.root, "d"), path.join(img.root, "d.old"));
    fs.symlinkSync(img.outside, path.join(img.root, "d"));
    fs.writeFileSync(path.join(img.outside, "f"), "host file\n");
    const fd = openInRoot(r, fs.constants.O_RDONLY);
    expect(fs.readFileSync(fd, "utf8")).toBe("inside\n");
    fs.closeSync(fd);
    r.close();
  });

  it("attack: a final component swapped for a symlink between check and use is refused", () => {
    const r = resolveInRoot(img.root, "/etc/motd");
    fs.rmSync(path.join(img.root, "etc/motd"));
    fs.symlinkSync(path.join(img.outside, "secret"), path.join(img.root, "etc/motd"));
    expect(code(() => openInRoot(r, fs.constants.O_RDONLY))).toBe("conflict");
    expect(code(() => openInRoot(r, fs.constants.O_WRONLY | fs.constants.O_TRUNC))).toBe("conflict");
    r.close();
    expect(fs.readFileSync(path.join(img.outside, "secret"), "utf8")).toBe("host secret\n");
  });

  it("attack: NUL bytes are rejected", () => {
    expect(code(() => resolveInRoot(img.root, "/etc/motd\0/../../outside"))).toBe("bad_request");
  });

  it("attack: very long paths and names are rejected", () => {
    expect(code(() => resolveInRoot(img.root, `/${"a/".repeat(3000)}`))).toBe("bad_request");
    expect(code(() => resolveInRoot(img.root, `/${"x".repeat(256)}`))).toBe("bad_request");
  });

  it("does not follow the final symlink for operations on the link itself", () => {
    const r = resolveInRoot(img.root, "/etc/localtime", { followFinal: false });
    expect(r.stat?.isSymbolicLink()).toBe(true);
    expect(r.path).toBe("/etc/localtime");
    r.close();
    const f = resolveInRoot(img.root, "/etc/localtime", { followFinal: true });
    expect(f.path).toBe("/usr/share/zoneinfo/UTC");
    f.close();
  });

  it("reports a missing final component and refuses a missing parent", () => {
    const r = resolveInRoot(img.root, "/etc/new-file");
    expect(r.exists).toBe(false);
    r.close();
    expect(code(() => resolveInRoot(img.root, "/nope/new-file"))).toBe("not_found");
    expect(code(() => resolveInRoot(img.root, "/etc/motd/x"))).toBe("unprocessable");
  });

  it("closes every descriptor it opens", () => {
    const before = fs.readdirSync("/proc/self/fd").length;
    for (let i = 0; i < 50; i++) {
      resolveInRoot(img.root, "/usr/share/zoneinfo/UTC").close();
      code(() => resolveInRoot(img.root, "/usr/share/nope/x"));
    }
    expect(fs.readdirSync("/proc/self/fd").length).toBe(before);
  });
});
