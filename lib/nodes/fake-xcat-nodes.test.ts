/**
 * The node half of the fake xCAT (test/fake-xcat/lib/nodes.mjs) prints exactly what real xCAT 2.19 printed in
 * xcat-transcripts-nodes.md: the recorded commands are replayed in order on a fresh fake. Left out: `nodels`,
 * `rmdef` and `makehosts` (the product runs none of them), 38 (a node with an ip whose name /etc/hosts lacks: the
 * fake has no /etc/hosts) and 39 (before xCAT's host keys existed). The runs without fping (28, 42) and 35 (bad
 * attributes, reported in Perl's hash order, so compared as a set of lines) are replayed on a fake of their own.
 * Then the fake's simulated BMC: nodeset changes lsdef, rpower changes nodestat.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTranscripts } from "@/lib/xcat/transcripts";

const FAKE = path.join(process.cwd(), "test/fake-xcat");
const transcripts = loadTranscripts(path.join(FAKE, "xcat-transcripts-nodes.md"));
let tmp: string;
let env: NodeJS.ProcessEnv;

function argvOf(line: string): string[] {
  return [...line.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((m) => m[0].replace(/"/g, ""));
}

/** `bootMs`: how long the fake takes a node to boot; each call reads it, so a test picks "still booting" or "booted". */
function exec(argv: string[], bootMs = 600_000) {
  const r = spawnSync(path.join(FAKE, "bin", argv[0]), argv.slice(1), {
    cwd: tmp,
    env: { ...env, FAKE_XCAT_BOOT_MS: String(bootMs) },
    encoding: "utf8",
  });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

const ORDER = [
  "19-lsdef-node-empty",
  "21-mkdef-node",
  "22-lsdef-t-node",
  "23-lsdef-node",
  "24-lsdef-t-node-l",
  "25-lsdef-t-group",
  "29-nodeset-no-ip",
  "30-lsdef-node-after-nodeset-no-ip",
  "31-nodeset-bad-image",
  "32-rpower-stat-no-bmc",
  "33-rpower-reset-no-bmc",
  "34-chdef-node",
  "36-lsdef-node-after-chdef",
  "43-nodeset",
  "40-lsdef-node-after-nodeset",
  "44-nodeset-bad-image",
  "45-nodeset-unknown-node",
  "46-nodestat-unknown-node",
  "47-nodestat-fping",
  "48-nodestat-group",
  "49-rpower-stat",
  "50-rpower-reset",
  "51-rpower-unknown-node",
  "91-lsdef-group-o",
  "52-mkdef-node2",
  "53-lsdef-t-node-l-two",
  "54-lsdef-compute-i",
  "57-rpower-group-stat",
  "61-lsdef-node-missing",
  "62-lsdef-t-node-o-missing",
  "63-mkdef-node-dup",
  "88-nodeset-stat",
  "89-lsdef-node-i",
  "90-lsdef-node-z",
  "93-rpower-mixed-noderange",
  "94-rpower-boot",
  "95-nodeset-offline",
  "96-lsdef-node-after-offline",
];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fake-xcat-nodes-"));
  env = { ...process.env, XCATROOT: FAKE, FAKE_XCAT_STATE: `${tmp}/state.json`, FAKE_XCAT_LOG: `${tmp}/calls.log`, FAKE_XCAT_HOST: "mgmt" };
  const osimage = {
    imagetype: "linux",
    provmethod: "netboot",
    osname: "Linux",
    osvers: "rhels8",
    osarch: "x86_64",
    profile: "compute",
    rootimgdir: `${tmp}/install/netboot/rhels8/x86_64/compute`,
  };
  fs.writeFileSync(
    `${tmp}/state.json`,
    JSON.stringify({ site: { installdir: "/install" }, osimages: { "rhels8-x86_64-netboot-compute": osimage } }),
  );
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("fake xCAT node commands reproduce the real transcripts byte for byte", () => {
  it.each(ORDER)("%s", (id) => {
    const t = transcripts.get(id)!;
    expect(t, id).toBeDefined();
    const got = exec(argvOf(t.command));
    expect({ stdout: got.stdout, stderr: got.stderr, code: got.code }).toEqual({ stdout: t.stdout, stderr: t.stderr, code: t.exitCode });
  });
});

describe("fake xCAT without fping, and chdef with bad attributes", () => {
  it("28, 42: nodestat names a node it cannot resolve, then says fping is missing; 35: every bad attribute is reported", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-xcat-nofping-"));
    const envHere = { ...env, FAKE_XCAT_STATE: `${dir}/state.json`, FAKE_XCAT_LOG: "" };
    const run = (argv: string[]) => {
      const r = spawnSync(path.join(FAKE, "bin", argv[0]), argv.slice(1), { cwd: dir, env: envHere, encoding: "utf8" });
      return { stdout: r.stdout, stderr: r.stderr, code: r.status };
    };
    const want = (id: string) => {
      const t = transcripts.get(id)!;
      return { stdout: t.stdout, stderr: t.stderr, code: t.exitCode };
    };
    try {
      fs.writeFileSync(`${dir}/state.json`, JSON.stringify({ site: { installdir: "/install" }, osimages: {}, fping: false }));
      expect(run(argvOf(transcripts.get("21-mkdef-node")!.command))).toEqual(want("21-mkdef-node"));
      expect(run(argvOf(transcripts.get("28-nodestat")!.command))).toEqual(want("28-nodestat"));
      expect(run(argvOf(transcripts.get("34-chdef-node")!.command))).toEqual(want("34-chdef-node"));
      expect(run(argvOf(transcripts.get("42-nodestat")!.command))).toEqual(want("42-nodestat"));
      const bad = run(argvOf(transcripts.get("35-chdef-node-bad-attr")!.command));
      const real = want("35-chdef-node-bad-attr");
      const pairs = (s: string) => s.split(/(?<=Skipping to the next attribute\.\n)/);
      expect({ ...bad, stderr: pairs(bad.stderr).sort() }).toEqual({ ...real, stderr: pairs(real.stderr).sort() });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("fake xCAT keeps node state between calls", () => {
  it("powers a node through its BMC, boots what nodeset assigned and answers ssh with the packed stamp", () => {
    const dir = `${tmp}/install/netboot/rhels8/x86_64/compute`;
    fs.mkdirSync(`${dir}/rootimg/opt/xcat`, { recursive: true });
    fs.writeFileSync(
      `${dir}/rootimg/opt/xcat/xcatinfo`,
      "IMAGENAME='rhels8-x86_64-netboot-compute'\nIMAGEUUID='11111111-2222-3333-4444-555555555555'\n",
    );
    spawnSync("sh", ["-c", `cd ${dir}/rootimg && find . | cpio -H newc -o --quiet | gzip -c > ../rootimg.cpio.gz`]);
    const state = JSON.parse(fs.readFileSync(`${tmp}/state.json`, "utf8"));
    state.bmcs = { "127.0.2.11": { power: "off" } };
    state.dhcp = true;
    fs.writeFileSync(`${tmp}/state.json`, JSON.stringify(state));

    expect(exec(["nodeset", "testhost-a001", "osimage=rhels8-x86_64-netboot-compute"])).toEqual({
      stdout: "testhost-a001: netboot rhels8-x86_64-compute\n",
      stderr: "",
      code: 0,
    });
    expect(exec(["lsdef", "testhost-a001", "-i", "currstate,provmethod"]).stdout).toBe(
      "Object name: testhost-a001\n    currstate=netboot rhels8-x86_64-compute\n    provmethod=rhels8-x86_64-netboot-compute\n",
    );
    expect(exec(["nodestat", "testhost-a001"]).stdout).toBe("testhost-a001: noping\n");
    expect(exec(["rpower", "testhost-a001", "reset"]).stdout).toBe("testhost-a001: off\n"); // IPMI: reset does nothing when off
    expect(exec(["rpower", "testhost-a001", "boot"]).stdout).toBe("testhost-a001: on\n");
    expect(exec(["nodestat", "testhost-a001"]).stdout).toBe("testhost-a001: ping netboot rhels8-x86_64-compute\n");
    expect(exec(["ssh", "-o", "BatchMode=yes", "testhost-a001", "cat", "/opt/xcat/xcatinfo"]).code).toBe(255);
    expect(exec(["nodestat", "testhost-a001"], 0).stdout).toBe("testhost-a001: sshd\n");
    expect(exec(["lsdef", "testhost-a001", "-i", "status"], 0).stdout).toBe("Object name: testhost-a001\n    status=booted\n");
    expect(exec(["ssh", "-o", "BatchMode=yes", "testhost-a001", "cat", "/opt/xcat/xcatinfo"], 0).stdout).toContain(
      "IMAGEUUID='11111111-2222-3333-4444-555555555555'",
    );
    // one node of two fails: the other still answers
    const both = exec(["rpower", "testhost-a000,testhost-a001", "stat"]);
    expect(both).toEqual({ stdout: "testhost-a001: on\n", stderr: "testhost-a000: [mgmt]: Error: ERROR: timeout\n", code: 1 });
    expect(exec(["rpower", "testhost-a001", "off"]).stdout).toBe("testhost-a001: off\n");
    expect(exec(["nodestat", "testhost-a001"], 0).stdout).toBe("testhost-a001: noping\n");
    const calls = fs
      .readFileSync(`${tmp}/calls.log`, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).argv);
    expect(calls).toContainEqual(["nodeset", "testhost-a001", "osimage=rhels8-x86_64-netboot-compute"]);
    expect(calls).toContainEqual(["rpower", "testhost-a001", "boot"]);
  });
});
