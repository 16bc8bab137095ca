/**
 * The fake xCAT (test/fake-xcat) must print exactly what real xCAT 2.19 printed in the verbatim transcripts:
 * the same commands are replayed, in the same order, on a fresh fake whose /install and /opt/xcat/share live
 * in a temp dir; only those path prefixes and imgexport's random temp dir name are substituted.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadTranscripts } from "./transcripts";

const FAKE = path.join(process.cwd(), "test/fake-xcat");
const transcripts = loadTranscripts();
let tmp: string;
let env: NodeJS.ProcessEnv;

function subst(text: string): string {
  return text
    .replaceAll("/opt/xcat/share/", `${tmp}/opt/xcat/share/`)
    .replaceAll("/install/", `${tmp}/install/`)
    .replaceAll("/root/export", `${tmp}/export`);
}

/** Splits `cd DIR && cmd args` / `cmd args` and turns `a="b c"` into one argument, like the shell did. */
function parseCommand(line: string): { cwd: string; argv: string[] } {
  let cwd = tmp;
  const parts = line.split(" && ");
  const cmd = parts.pop()!;
  for (const p of parts) if (p.startsWith("cd ")) cwd = subst(p.slice(3).trim());
  const argv = [...cmd.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((m) => subst(m[0].replace(/"/g, "")));
  return { cwd, argv };
}

function run(id: string) {
  const t = transcripts.get(id)!;
  const { cwd, argv } = parseCommand(t.command);
  const bin = ["packimage"].includes(argv[0]) ? "sbin" : "bin";
  const r = spawnSync(path.join(FAKE, bin, argv[0]), argv.slice(1), { cwd, env, encoding: "utf8" });
  const norm = (s: string) => s.replace(/imgexport\.\d+\.\w{6}/g, "imgexport.PID.XXXXXX");
  return {
    got: { stdout: norm(r.stdout), stderr: r.stderr, code: r.status },
    want: { stdout: norm(subst(t.stdout)), stderr: subst(t.stderr), code: t.exitCode },
  };
}

const ORDER = [
  "01-lsdef-osimage-empty",
  "02-mkdef-osimage",
  "03-lsdef-osimage",
  "04-lsdef-osimage-o",
  "05-chdef-osimage",
  "06-lsdef-osimage-o-after-chdef",
  "07-lsdef-osimage-o-attr",
  "08-lsdef-osimage-o-z",
  "09-chdef-osimage-usercomment",
  "10-lsdef-osimage-o-attr2",
  "11-packimage",
  "12-lsdef-osimage-o-after-packimage",
  "21-imgexport",
  "22-imgimport-same-name",
  "23-imgimport-renamed",
  "24-lsdef-osimage-after-import",
  "25-lsdef-osimage-o-imported",
  "26-lsdef-osimage-o-imported-real",
  "27-lsdef-osimage-missing",
  "29-mkdef-osimage-dup",
  "31-packimage-missing",
  "33-lsdef-osimage-long",
];

describe("fake xCAT reproduces the real transcripts byte for byte", () => {
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fake-xcat-"));
    env = {
      ...process.env,
      XCATROOT: FAKE,
      FAKE_XCAT_STATE: `${tmp}/state.json`,
      FAKE_XCAT_LOG: `${tmp}/calls.log`,
      ROOTIMG_XCAT_LOCK_DIR: `${tmp}/lock`,
    };
    fs.writeFileSync(`${tmp}/state.json`, JSON.stringify({ site: { installdir: `${tmp}/install`, timezone: "Universal" }, osimages: {} }));
    // What genimage would have left: a tree, kernel and initrd; the profile files in xCAT's share dir.
    const dir = `${tmp}/install/netboot/rhels9.4/x86_64/compute`;
    fs.mkdirSync(`${dir}/rootimg/etc`, { recursive: true });
    fs.writeFileSync(`${dir}/rootimg/etc/motd`, "hello\n");
    fs.writeFileSync(`${dir}/kernel`, "kernel");
    fs.writeFileSync(`${dir}/initrd-stateless.gz`, "initrd");
    fs.mkdirSync(`${tmp}/opt/xcat/share/xcat/netboot/rh`, { recursive: true });
    for (const s of ["pkglist", "postinstall", "exlist"])
      fs.writeFileSync(`${tmp}/opt/xcat/share/xcat/netboot/rh/compute.rhels9.x86_64.${s}`, s);
    fs.mkdirSync(`${tmp}/export`);
  });

  for (const id of ORDER)
    it(id, () => {
      const { got, want } = run(id);
      expect(got).toEqual(want);
    });

  it("packimage produced a real newc cpio.gz of the tree with xcatinfo, and the calls were logged", () => {
    const dir = `${tmp}/install/netboot/rhels9.4/x86_64/compute`;
    const list = execFileSync("bsdtar", ["-tf", `${dir}/rootimg.cpio.gz.ORIG`], { encoding: "utf8" });
    expect(list.split("\n")).toEqual(expect.arrayContaining(["etc/motd", "opt/xcat/xcatinfo"]));
    const calls = fs
      .readFileSync(`${tmp}/calls.log`, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).argv);
    expect(calls).toContainEqual(["packimage", "rhels9.4-x86_64-netboot-compute"]);
    expect(calls).toContainEqual([
      "chdef",
      "-t",
      "osimage",
      "-o",
      "rhels9.4-x86_64-netboot-compute",
      "comments=probe image",
      `otherpkgdir=${tmp}/install/post/otherpkgs/rhels9.4/x86_64`,
    ]);
  });
});

/**
 * `lsdef -t site`: not in the 2.19 transcripts; these are real outputs published by xCAT itself (the
 * backup/restore guide in xcat-core's docs, and xCAT's docker test of `lsdef -t site -l -i domain`).
 */
describe("fake xCAT prints the site object as xCAT does", () => {
  const site = (state: object, ...args: string[]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-xcat-site-"));
    fs.writeFileSync(`${dir}/state.json`, JSON.stringify(state));
    const r = spawnSync(path.join(FAKE, "bin/lsdef"), args, {
      env: { ...process.env, FAKE_XCAT_STATE: `${dir}/state.json`, FAKE_XCAT_LOG: "" },
      encoding: "utf8",
    });
    fs.rmSync(dir, { recursive: true });
    return { stdout: r.stdout, stderr: r.stderr, code: r.status };
  };

  it("lsdef -t site clustersite -i installdir", () => {
    expect(site({ site: { installdir: "/install", domain: "cluster" } }, "-t", "site", "clustersite", "-i", "installdir")).toEqual({
      stdout: "Object name: clustersite\n    installdir=/install\n",
      stderr: "",
      code: 0,
    });
    expect(
      site({ site: { installdir: "/install", domain: "cluster" } }, "-t", "site", "-o", "clustersite", "-i", "installdir").stdout,
    ).toBe("Object name: clustersite\n    installdir=/install\n");
  });

  it("lsdef -t site -l -i domain", () => {
    expect(site({ site: { installdir: "/install", domain: "cluster" } }, "-t", "site", "-l", "-i", "domain")).toEqual({
      stdout: "Object name: clustersite\n    domain=cluster\n",
      stderr: "",
      code: 0,
    });
  });

  it("an unset site attribute asked with -i is left out, unlike an osimage's (xcat-transcripts-nodes.md, section 17)", () => {
    expect(site({ osimages: {} }, "-t", "site", "-o", "clustersite", "-i", "installdir")).toEqual({
      stdout: "Object name: clustersite\n",
      stderr: "",
      code: 0,
    });
  });
});
