import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const BIN = path.resolve(import.meta.dirname, "rootimg");
const work = mkdtempSync(path.join(tmpdir(), "rootimg-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Run from an unrelated cwd to prove the launcher resolves tsx and the script relative to itself.
const run = (...args: string[]) => spawnSync(BIN, args, { cwd: "/", encoding: "utf8" });

describe("bin/rootimg", () => {
  it("pack keeps versions in the server's layout and exactly --keep archives, the live one included", () => {
    const tree = path.join(work, "kept-tree");
    mkdirSync(path.join(tree, "etc"), { recursive: true });
    const archive = path.join(work, "kept", "rootimg.cpio.gz");
    mkdirSync(path.dirname(archive));
    for (const n of [1, 2, 3]) {
      writeFileSync(path.join(tree, "etc/motd"), `pack ${n}\n`);
      expect(run("pack", tree, archive, "--keep", "2").status).toBe(0);
    }
    const versions = path.join(work, "kept", ".rootimg-studio", "versions");
    expect(readdirSync(versions).sort()).toEqual(["2-rootimg.cpio.gz", "3-rootimg.cpio.gz"]);
    expect(statSync(path.join(versions, "3-rootimg.cpio.gz")).ino).toBe(statSync(archive).ino);
    expect(run("pack", tree, archive, "--keep", "1").status).toBe(0);
    expect(readdirSync(versions)).toEqual(["4-rootimg.cpio.gz"]);
    const bad = run("pack", tree, archive, "--keep", "0");
    expect(bad.status).toBe(2);
    expect(bad.stderr.split("\n")[0]).toBe("error: --keep needs a whole number of at least 1 (the archive just packed counts)");
  });

  it("pack, verify, unpack, diff from any cwd; progress stays off stderr when it is not a TTY", () => {
    const tree = path.join(work, "tree");
    mkdirSync(path.join(tree, "etc"), { recursive: true });
    writeFileSync(path.join(tree, "etc/motd"), "hi\n");
    const archive = path.join(work, "rootimg.cpio.gz");
    const p = run("pack", tree, archive, "--stamp", "img1");
    expect(p.stderr).toBe("");
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(
      /^packed 6 entries into .* IMAGEUUID=[0-9a-f-]{36}; kept as .*\/\.rootimg-studio\/versions\/1-rootimg\.cpio\.gz\n$/,
    );
    const v = run("verify", archive);
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^ok: 6 entries, cpio.gz, \d+ bytes uncompressed\n$/);
    const dest = path.join(work, "dest");
    expect(run("unpack", archive, dest).status).toBe(0);
    expect(run("diff", dest).stdout).toBe("");
    writeFileSync(path.join(dest, "etc/motd"), "changed\n");
    writeFileSync(path.join(dest, "etc/new"), "n\n");
    const d = run("diff", dest);
    expect(d.status).toBe(0);
    expect(d.stdout).toBe("M etc/motd\nA etc/new\n");
  });

  it("rebuilds its bundle (dist/rootimg.mjs) when it is older than a source it bundles", () => {
    const bundle = path.resolve(import.meta.dirname, "../dist/rootimg.mjs");
    if (!existsSync(bundle)) expect(run("--help").status).toBe(0);
    utimesSync(bundle, new Date(2000, 0, 1), new Date(2000, 0, 1));
    const r = run("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage:\n {2}rootimg unpack/);
    expect(statSync(bundle).mtimeMs).toBeGreaterThan(statSync(path.resolve(import.meta.dirname, "rootimg.ts")).mtimeMs);
  });

  it("fails with one line 'error: ...' and a non-zero exit", () => {
    const r = run("verify", path.join(work, "missing.cpio.gz"));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot open archive .*missing\.cpio\.gz.*\n$/);
    const bad = path.join(work, "bad.cpio.gz");
    writeFileSync(bad, "garbage garbage garbage");
    const b = run("unpack", bad, path.join(work, "never"));
    expect(b.status).toBe(1);
    expect(b.stderr.trim().split("\n")).toHaveLength(1);
    const u = run("pack");
    expect(u.status).toBe(2);
    expect(u.stderr.split("\n")[0]).toBe("error: pack needs TREE and ARCHIVE");
  });
});
