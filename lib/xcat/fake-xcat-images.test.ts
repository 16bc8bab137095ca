/**
 * The fake xCAT (test/fake-xcat) against the second real recording (xcat-transcripts-nodes.md): its osimage, site,
 * packimage and imgexport sections, replayed in order on a fresh fake whose /install, /root and /opt/xcat/share
 * live in a temp dir (only those path prefixes, pids and random temp names are substituted). The sections that
 * ran shell around the command (chtab, a second packimage in the background, `; ls`) are replayed by doing the
 * same around the fake.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadTranscripts } from "./transcripts";

const FAKE = path.join(process.cwd(), "test/fake-xcat");
const transcripts = loadTranscripts(path.join(process.cwd(), "test/fake-xcat/xcat-transcripts-nodes.md"));
let tmp: string;
let env: NodeJS.ProcessEnv;
const IMAGE = "rhels8-x86_64-netboot-compute";
let imgdir: string;

function subst(text: string): string {
  return text
    .replaceAll("/opt/xcat/share/", `${tmp}/opt/xcat/share/`)
    .replaceAll("/install/", `${tmp}/install/`)
    .replace(/(?<=^|[\s'"=])\/install(?=\s|$)/gm, `${tmp}/install`)
    .replace(/(?<=^|[\s'"])\/root(?!\w)/gm, `${tmp}/root`);
}

function parseCommand(line: string): { cwd: string; argv: string[] } {
  let cwd = `${tmp}/root`;
  const parts = line.split(" && ");
  const cmd = parts.pop()!;
  for (const p of parts) if (p.startsWith("cd ")) cwd = subst(p.slice(3).trim());
  const argv = [...cmd.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((m) => subst(m[0].replace(/"/g, "")));
  return { cwd, argv };
}

const fake = (argv: string[], cwd = `${tmp}/root`) => {
  const bin = ["packimage", "tabdump"].includes(argv[0]) ? "sbin" : "bin";
  const r = spawnSync(path.join(FAKE, bin, argv[0]), argv.slice(1), { cwd, env, encoding: "utf8" });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
};
const norm = (s: string) => s.replace(/imgexport\.\d+\.\w{6}/g, "imgexport.PID.XXXXXX");
const want = (id: string) => {
  const t = transcripts.get(id)!;
  return { stdout: norm(subst(t.stdout)), stderr: subst(t.stderr), code: t.exitCode };
};
function run(id: string) {
  const { cwd, argv } = parseCommand(transcripts.get(id)!.command);
  const got = fake(argv, cwd);
  return { got: { ...got, stdout: norm(got.stdout) }, want: want(id) };
}
const state = () => JSON.parse(fs.readFileSync(`${tmp}/state.json`, "utf8"));
const setState = (s: object) => fs.writeFileSync(`${tmp}/state.json`, JSON.stringify(s));

const ORDER = [
  "01-lsdef-osimage-empty",
  "02-mkdef-osimage",
  "03-lsdef-osimage",
  "04-lsdef-osimage-l",
  "05-lsdef-osimage-o",
  "06-lsdef-osimage-z",
  "07-lsdef-osimage-o-z",
  "08-lsdef-site",
  "09-lsdef-site-o",
  "10-lsdef-site-o-i-installdir",
  "11-lsdef-site-i-installdir-master-tmpdir",
  "12-lsdef-site-clustersite-positional",
  "13-lsdef-site-missing",
  "14-lsdef-osimage-o-i-unset",
  "15-lsdef-osimage-missing",
  "16-lsdef-osimage-l-missing",
  "18-lsdef-site-i-installdir-restored",
  "27-packimage",
  "64-chdef-osimage",
  "65-chdef-osimage-missing",
  "66-lsdef-osimage-missing-after-chdef",
];

describe("fake xCAT reproduces the second real recording (osimages, site, packimage, imgexport)", () => {
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fake-xcat-img-"));
    env = {
      ...process.env,
      XCATROOT: FAKE,
      FAKE_XCAT_STATE: `${tmp}/state.json`,
      FAKE_XCAT_LOG: "",
      FAKE_XCAT_HOST: "mgmt",
      FAKE_XCAT_SHARE: `${tmp}/opt/xcat/share`,
      ROOTIMG_XCAT_LOCK_DIR: `${tmp}/lock`,
    };
    // The site table exactly as section 09 listed it.
    const site = Object.fromEntries(
      transcripts
        .get("09-lsdef-site-o")!
        .stdout.split("\n")
        .filter((l) => l.startsWith("    "))
        .map((l) => [l.trim().split("=")[0], subst(l.trim().slice(l.trim().indexOf("=") + 1))]),
    );
    expect(site.installdir).toBe(`${tmp}/install`);
    setState({ site, osimages: {}, passwd: [{ key: "system", username: "root", password: "cluster" }] });
    imgdir = `${tmp}/install/netboot/rhels8/x86_64/compute`;
    fs.mkdirSync(`${imgdir}/rootimg/etc`, { recursive: true });
    fs.writeFileSync(`${imgdir}/rootimg/etc/motd`, "hello\n");
    fs.writeFileSync(`${imgdir}/rootimg/etc/shadow`, "root:*:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n");
    fs.writeFileSync(`${imgdir}/kernel`, "kernel");
    fs.writeFileSync(`${imgdir}/initrd-stateless.gz`, "initrd");
    fs.mkdirSync(`${tmp}/install/postscripts/_ssh`, { recursive: true });
    fs.writeFileSync(`${tmp}/install/postscripts/xcatdsklspost`, "#!/bin/sh\n");
    fs.writeFileSync(`${tmp}/install/postscripts/_ssh/authorized_keys`, "ssh-ed25519 AAAA root@mgmt\n");
    fs.mkdirSync(`${tmp}/opt/xcat/share/xcat/netboot/rh`, { recursive: true });
    for (const s of ["pkglist", "exlist"])
      fs.writeFileSync(
        `${tmp}/opt/xcat/share/xcat/netboot/rh/compute.rhels8.x86_64.${s}`,
        s === "exlist" ? "./usr/share/zoneinfo*\n./boot*\n" : "bash\n",
      );
    fs.mkdirSync(`${tmp}/root/export`, { recursive: true });
  });

  for (const id of ORDER)
    it(id, () => {
      const { got, want } = run(id);
      expect(got).toEqual(want);
    });

  it("19, 28, 23, 90: nodes are listed from the state, not looked up as an object named 'undefined'", () => {
    expect(run("19-lsdef-node-empty").got).toEqual(want("19-lsdef-node-empty"));
    expect(fake(["lsdef", "cn99"])).toEqual({
      stdout: "No object definitions have been found\n",
      stderr: "Error: [mgmt]: Could not find an object named 'cn99' of type 'node'.\n",
      code: 1,
    });
    const s = state();
    setState({
      ...s,
      nodes: {
        "testhost-a000": {
          arch: "x86_64",
          currstate: "netboot rhels8-x86_64-compute",
          groups: "compute,all",
          installnic: "mac",
          ip: "127.0.1.10",
          mac: "52:54:00:00:a0:00",
          mgt: "ipmi",
          netboot: "xnba",
          os: "rhels8",
          primarynic: "mac",
          profile: "compute",
          provmethod: "rhels8-x86_64-netboot-compute",
        },
      },
    });
    for (const id of ["89-lsdef-node-i", "90-lsdef-node-z"]) {
      const t = transcripts.get(id)!;
      expect(fake(parseCommand(t.command).argv), id).toEqual(want(id));
    }
    expect(fake(["lsdef", "-t", "node"])).toEqual({ stdout: "testhost-a000  (node)\n", stderr: "", code: 0 });
    setState(s);
  });

  it("17: with site.installdir unset, -i installdir prints only the object name (rc 0)", () => {
    const s = state();
    const { installdir, ...rest } = s.site;
    setState({ ...s, site: rest });
    const t = transcripts.get("17-site-installdir-unset")!;
    expect(fake(["lsdef", "-t", "site", "-o", "clustersite", "-i", "installdir"])).toEqual({
      stdout: t.stdout.replace("rc of lsdef: 0\n", ""),
      stderr: t.stderr,
      code: 0,
    });
    setState({ ...s, site: { ...rest, installdir } });
  });

  it("67–70: rmdef, packimage and imgexport of a missing image; imgexport adds the default pkglist", () => {
    const s = state();
    delete s.osimages["no-such-image"];
    setState(s);
    for (const id of ["68-packimage-missing", "69-imgexport-missing", "70-imgexport"]) {
      const { got, want } = run(id);
      expect(got, id).toEqual(want);
    }
  });

  it("81, 85: packimage again, -h", () => {
    for (const id of ["81-packimage-after-product-pack-and-rollback", "85-packimage-help"]) expect(run(id).got, id).toEqual(want(id));
  });

  it("83: no site.timezone: the two info lines, no warning, etc/localtime left alone", () => {
    const s = state();
    const { timezone, ...rest } = s.site;
    setState({ ...s, site: rest });
    fs.rmSync(`${imgdir}/rootimg/etc/localtime`, { force: true });
    expect(fake(["packimage", IMAGE])).toEqual(want("83-packimage-no-timezone"));
    expect(fs.existsSync(`${imgdir}/rootimg/etc/localtime`)).toBe(false);
    setState({ ...s, site: { ...rest, timezone } });
  });

  it("84: with usr/share/zoneinfo/<tz> in the tree: no warning, and the zone file is in the archive despite the exlist", () => {
    fs.mkdirSync(`${imgdir}/rootimg/usr/share/zoneinfo`, { recursive: true });
    fs.writeFileSync(`${imgdir}/rootimg/usr/share/zoneinfo/Universal`, "TZif2");
    expect(fake(["packimage", IMAGE])).toEqual(want("84-packimage-zoneinfo-present"));
    const names = execFileSync("bsdtar", ["-tf", `${imgdir}/rootimg.cpio.gz`], { encoding: "utf8" }).split("\n");
    expect(names).toContain("usr/share/zoneinfo/Universal");
    expect(fs.readlinkSync(`${imgdir}/rootimg/etc/localtime`)).toBe("../usr/share/zoneinfo/Universal");
  });

  it("86, 87: -c xz then the default again; only one rootimg.* stays", () => {
    for (const [id, args] of [
      ["86-packimage-xz", ["-c", "xz", IMAGE]],
      ["87-packimage-back-to-gz", [IMAGE]],
    ] as const) {
      const r = fake(["packimage", ...args]);
      const ls = `${fs
        .readdirSync(imgdir)
        .filter((f) => !f.startsWith("."))
        .sort()
        .join("\n")}\n`;
      expect({ ...r, stdout: r.stdout + ls }, id).toEqual(want(id));
    }
  });

  it("packimage made xCAT's tree changes: xcatpost, xcatinfo in date's form, xcatdsklspost, root's shadow line", () => {
    const root = `${imgdir}/rootimg`;
    expect(fs.readFileSync(`${root}/xcatpost/_ssh/authorized_keys`, "utf8")).toContain("root@mgmt");
    expect(fs.statSync(`${root}/opt/xcat/xcatdsklspost`).mode & 0o777).toBe(0o755);
    expect(fs.readFileSync(`${root}/opt/xcat/xcatinfo`, "utf8")).toMatch(
      /^IMAGENAME='rhels8-x86_64-netboot-compute'\nIMAGEUUID='[0-9a-f-]{36}'\nTIMESTAMP='\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}'\n$/,
    );
    expect(fs.readFileSync(`${root}/etc/shadow`, "utf8")).toMatch(
      /^root:\$5\$\w{8}\$[./\w]{43}:13880:0:99999:7:::\nbin:\*:19000:0:99999:7:::\n$/,
    );
  });

  it("71/82: a busy lock names the holder's pid as the lock file holds it; the fake writes it without a newline", async () => {
    const { spawn } = await import("node:child_process");
    const lockDir = `${tmp}/lock`;
    const file = path.join(lockDir, fs.readdirSync(lockDir).find((f) => f.includes("compute.rootimg"))!);
    expect(fs.readFileSync(file, "utf8")).toMatch(/^\d+$/);
    fs.writeFileSync(file, "16826");
    const holder = spawn("flock", ["-n", file, "sleep", "30"], { stdio: "ignore", detached: true });
    try {
      for (let i = 0; i < 100 && !fs.readFileSync("/proc/locks", "utf8").includes(String(fs.statSync(file).ino)); i++)
        await new Promise((r) => setTimeout(r, 50));
      const r = fake(["packimage", IMAGE]);
      const t = transcripts.get("71-packimage-while-locked")!;
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(t.stderr.replace("/install/netboot/rhels8/x86_64/big/rootimg", fs.realpathSync(`${imgdir}/rootimg`)));
      // 82: a holder that wrote its pid with a newline (as Rootimg Studio once did) breaks xCAT's message in two.
      fs.writeFileSync(file, "17102\n");
      const t82 = transcripts.get("82-packimage-while-rootimg-studio-packs")!;
      expect(fake(["packimage", IMAGE])).toEqual({
        stdout: "",
        stderr: t82.stderr.replace("/install/netboot/rhels8/x86_64/big/rootimg", fs.realpathSync(`${imgdir}/rootimg`)),
        code: t82.exitCode,
      });
    } finally {
      process.kill(-holder.pid!);
    }
  });
});
