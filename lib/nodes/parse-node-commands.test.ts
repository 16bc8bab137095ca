import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadTranscripts } from "@/lib/xcat/transcripts";
import {
  parseGroupMembers,
  parseGroupNames,
  parseNodeNames,
  parseNodeObjects,
  parseNodeset,
  parseNodestat,
  parseRpower,
  parseXcatinfo,
} from "./parse-node-commands";

const t = loadTranscripts(path.join(process.cwd(), "test/fake-xcat/xcat-transcripts-nodes.md"));
const get = (id: string) => {
  const r = t.get(id);
  if (!r) throw new Error(`transcript ${id} missing`);
  return r;
};

describe("lsdef for nodes and groups (real xCAT 2.19 output)", () => {
  it("lists node and group names, and none on an empty table", () => {
    expect(parseNodeNames(get("19-lsdef-node-empty").stdout)).toEqual([]);
    expect(parseNodeNames(get("22-lsdef-t-node").stdout)).toEqual(["testhost-a000"]);
    expect(parseGroupNames(get("25-lsdef-t-group").stdout)).toEqual(["all", "compute"]);
  });

  it("reads node objects with arch, groups, currstate and provmethod after a nodeset", () => {
    const [n] = parseNodeObjects(get("40-lsdef-node-after-nodeset").stdout);
    expect(n).toMatchObject({
      name: "testhost-a000",
      arch: "x86_64",
      groups: ["compute", "all"],
      currstate: "netboot rhels8-x86_64-compute",
      provmethod: "rhels8-x86_64-netboot-compute",
    });
    const two = parseNodeObjects(get("53-lsdef-t-node-l-two").stdout);
    expect(two.map((x) => x.name)).toEqual(["testhost-a000", "testhost-a001"]);
    expect(two[1].currstate).toBeUndefined();
    expect(two[1].attrs.bmc).toBe("127.0.2.11");
    // -i prints unset attributes as `attr=`: they read as unset
    const i = parseNodeObjects(get("54-lsdef-compute-i").stdout);
    expect(i[1]).toMatchObject({ name: "testhost-a001", currstate: undefined, status: undefined });
    expect(parseNodeObjects(get("96-lsdef-node-after-offline").stdout)[0].currstate).toBe("offline");
  });

  it("reads group members", () => {
    expect(parseGroupMembers(get("91-lsdef-group-o").stdout).get("compute")).toEqual(["testhost-a000"]);
  });
});

describe("nodeset", () => {
  it("takes a node's `netboot <os>-<arch>-<profile>` line as success and keeps the request's DHCP error as a warning", () => {
    const r = get("43-nodeset");
    expect(r.exitCode).toBe(1);
    expect(parseNodeset(r.stdout, r.stderr, ["testhost-a000"])).toEqual([
      {
        node: "testhost-a000",
        ok: true,
        text: "netboot rhels8-x86_64-compute",
        warnings: ["The selected DHCP backend 'isc' is not available on this system."],
      },
    ]);
  });

  it("does not take `Error: ...` lines on stdout for nodes", () => {
    const r = get("39-nodeset");
    const [o] = parseNodeset(r.stdout, r.stderr, ["testhost-a000"]);
    expect(o.ok).toBe(true);
    expect(o.warnings).toContain("/install/postscripts/hostkeys is missing.");
  });

  it("fails every node with xCAT's message for a missing image, an unknown node or no address", () => {
    const bad = get("44-nodeset-bad-image");
    expect(parseNodeset(bad.stdout, bad.stderr, ["testhost-a000"])[0]).toMatchObject({
      ok: false,
      error: "Cannot find the OS image no-such-image in the osimage table.",
    });
    const unknown = get("45-nodeset-unknown-node");
    expect(parseNodeset(unknown.stdout, unknown.stderr, ["testhost-zzz"])[0]).toMatchObject({
      ok: false,
      error: "Invalid nodes and/or groups in noderange: testhost-zzz",
    });
    const noip = get("29-nodeset-no-ip");
    expect(parseNodeset(noip.stdout, noip.stderr, ["testhost-a000"])[0].error).toMatch(/^Failed to generate xnba configurations/);
  });

  it("reads `nodeset NODE stat` and `offline`", () => {
    const s = get("88-nodeset-stat");
    expect(parseNodeset(s.stdout, s.stderr, ["testhost-a000"])[0]).toMatchObject({ ok: true, text: "netboot rhels8-x86_64-compute" });
    const off = get("95-nodeset-offline");
    expect(parseNodeset(off.stdout, off.stderr, ["testhost-a000"])[0]).toMatchObject({ ok: true, text: "offline" });
  });
});

describe("rpower", () => {
  it("gives each node of a group its own timeout error", () => {
    const r = get("57-rpower-group-stat");
    const out = parseRpower(r.stdout, r.stderr, ["testhost-a000", "testhost-a001"], "stat");
    expect(out.map((o) => [o.node, o.ok, o.error])).toEqual([
      ["testhost-a000", false, "ERROR: timeout"],
      ["testhost-a001", false, "ERROR: timeout"],
    ]);
  });

  it("names the unresolvable node, and fails all nodes of a range with an unknown one", () => {
    const r = get("33-rpower-reset-no-bmc");
    expect(parseRpower(r.stdout, r.stderr, ["testhost-a000"], "reset")[0].error).toBe("Could not resolve testhost-a000 to an address");
    const mixed = get("93-rpower-mixed-noderange");
    const out = parseRpower(mixed.stdout, mixed.stderr, ["testhost-a000", "testhost-zzz"], "stat");
    expect(out.every((o) => !o.ok && o.error === "Invalid nodes and/or groups in noderange: testhost-zzz")).toBe(true);
    const boot = get("94-rpower-boot");
    expect(parseRpower(boot.stdout, boot.stderr, ["testhost-a000"], "boot")[0]).toMatchObject({ ok: false, error: "ERROR: timeout" });
  });

  it("reads the IPMI success words, and a reset on a powered-off node as not restarted", () => {
    // The IPMI plugin's answers (`<node>: on|off|reset`); this recording had no BMC, so these are built from them.
    const out = parseRpower("n1: on\nn2: off\nn3: reset\n", "", ["n1", "n2", "n3"], "stat");
    expect(out.map((o) => o.power)).toEqual(["on", "off", "on"]);
    expect(parseRpower("n2: off\n", "", ["n2"], "reset")[0]).toMatchObject({ ok: false, power: "off" });
    expect(parseRpower("n2: on\n", "", ["n2"], "boot")[0]).toMatchObject({ ok: true, power: "on" });
  });
});

describe("nodestat", () => {
  it("splits status and currstate", () => {
    const r = get("47-nodestat-fping");
    expect(parseNodestat(r.stdout, r.stderr, ["testhost-a000"]).nodes).toEqual([
      { node: "testhost-a000", status: "ping", currstate: "netboot rhels8-x86_64-compute" },
    ]);
    const g = get("48-nodestat-group");
    expect(parseNodestat(g.stdout, g.stderr, ["testhost-a000"]).nodes[0].status).toBe("ping");
  });

  it("says why there is no status: fping missing, no /etc/hosts entry, unknown node", () => {
    const noFping = get("42-nodestat");
    const a = parseNodestat(noFping.stdout, noFping.stderr, ["testhost-a000"]);
    expect(a.nodes[0].status).toBeUndefined();
    expect(a.nodes[0].error).toBe("Unable to find fping on system, must install fping package to use nodestat -f");
    const noHosts = get("28-nodestat");
    expect(parseNodestat(noHosts.stdout, noHosts.stderr, ["testhost-a000"]).nodes[0].error).toBe(
      "Please make sure testhost-a000 exists in /etc/hosts",
    );
    const unknown = get("46-nodestat-unknown-node");
    expect(parseNodestat(unknown.stdout, unknown.stderr, ["testhost-zzz"]).nodes[0].error).toBe(
      "Invalid nodes and/or groups in noderange: testhost-zzz",
    );
  });
});

describe("xcatinfo", () => {
  it("reads the stamp from `cat` output and from a console with other text around it", () => {
    const text =
      "[    6.2] Run /init\r\nIMAGENAME='demo'\r\nIMAGEUUID='a551732e-c56b-425d-999c-9bb146451180'\r\nTIMESTAMP='Wed Dec 02 04:39:52 UTC 2026'\r\n";
    expect(parseXcatinfo(text)).toEqual({
      IMAGENAME: "demo",
      IMAGEUUID: "a551732e-c56b-425d-999c-9bb146451180",
      TIMESTAMP: "Wed Dec 02 04:39:52 UTC 2026",
    });
  });
});
