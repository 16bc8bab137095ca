// Fake xCAT node commands: `lsdef -t node|group`, `lsdef NODE`, `mkdef/chdef -t node`, `nodeset`, `rpower`,
// `nodestat`, and `ssh NODE cat /opt/xcat/xcatinfo|reboot`, printing what xCAT 2.19 printed in
// xcat-transcripts-nodes.md (replayed by lib/nodes/fake-xcat-nodes.test.ts).
//
// State (in the same FAKE_XCAT_STATE file):
//   nodes: { NAME: { attr: value } }           xCAT's node attributes (groups, arch, ip, bmc, currstate, ...)
//   bmcs:  { ADDRESS: { power: "on"|"off" } }   BMCs that answer; any other address times out, as in the recording
//   boots: { NAME: { at, xcatinfo } }           what a powered-on node booted: the stamp of the archive it got
//   fping: false                                 nodestat without fping (transcripts 28, 42)
//   dhcp: true                                   a DHCP server exists: nodeset prints no DHCP error
// A node counts as booted FAKE_XCAT_BOOT_MS (default 1500) after power on: before that nodestat says
// `ping <currstate>` and ssh fails; after it `sshd` and status=booted.
import { spawnSync } from "node:child_process";
import { error, exit, HOST, installdirOf, load, out, save } from "./state.mjs";

const BOOT_MS = Number(process.env.FAKE_XCAT_BOOT_MS ?? 1500);
// xcatdefaults merged into every node (lsdef without -z)
const DEFAULTS = { postbootscripts: "otherpkgs", postscripts: "syslog,remoteshell,syncfiles" };
const NODE_ATTRS = new Set(
  (
    "groups arch mgt netboot ip mac installnic primarynic bmc bmcusername bmcpassword currstate provmethod os profile status statustime " +
    "postbootscripts postscripts serialport serialspeed kcmdline"
  ).split(" "),
);

const nodesOf = (s) => s.nodes ?? {};
const perNodeError = (node, text) => process.stderr.write(`${node}: [${HOST}]: Error: ${text}\n`);
// The client expands the noderange before xcatd sees it, so an unknown name fails without `[host]`.
const clientError = (text) => process.stderr.write(`Error: ${text}\n`);

function groupsOf(nodes) {
  const g = new Map();
  for (const [n, a] of Object.entries(nodes))
    for (const grp of (a.groups ?? "").split(",").filter(Boolean)) g.set(grp, [...(g.get(grp) ?? []), n]);
  return g;
}

/** Noderange `a,b,group` → node names, or null after printing xCAT's error for unknown names. */
function expand(state, range) {
  const nodes = nodesOf(state);
  const groups = groupsOf(nodes);
  const names = [];
  const bad = [];
  for (const part of (range ?? "").split(",").filter(Boolean)) {
    if (nodes[part]) names.push(part);
    else if (groups.has(part)) names.push(...groups.get(part));
    else bad.push(part);
  }
  if (bad.length || names.length === 0) {
    clientError(`Invalid nodes and/or groups in noderange: ${bad.join(",") || range}`);
    exit(1);
    return null;
  }
  return [...new Set(names)];
}

function refresh(state, name) {
  // status follows the boot: booted once the fake boot time has passed
  const b = state.boots?.[name];
  const a = state.nodes[name];
  if (b && a.status === "powering-on" && Date.now() - b.at >= BOOT_MS) {
    a.status = "booted";
    a.statustime = statustime(new Date(b.at + BOOT_MS));
  }
}

function statustime(d) {
  const p = (n) => String(n).padStart(2, "0");
  return `${p(d.getMonth() + 1)}-${p(d.getDate())}-${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function lsdefNodes({ type, name, long, only, stanza }) {
  const state = load();
  const nodes = nodesOf(state);
  for (const n of Object.keys(nodes)) refresh(state, n);
  if (type === "group") {
    const groups = groupsOf(nodes);
    if (!name) {
      if (groups.size === 0) return out("Could not find any object definitions to display.");
      for (const g of [...groups.keys()].sort()) out(`${g}  (group)`);
      return;
    }
    if (!groups.has(name)) {
      out("No object definitions have been found");
      error(`Could not find an object named '${name}' of type 'group'.`);
      return exit(1);
    }
    out(`Object name: ${name}`);
    return out(`    members=${groups.get(name).join(",")}`);
  }
  let names = Object.keys(nodes).sort();
  if (name) {
    const groups = groupsOf(nodes);
    if (!nodes[name] && !groups.has(name)) {
      out("No object definitions have been found");
      error(`Could not find an object named '${name}' of type 'node'.`);
      return exit(1);
    }
    names = nodes[name] ? [name] : groups.get(name).sort();
  } else if (!long) {
    if (names.length === 0) return out("Could not find any object definitions to display.");
    for (const n of names) out(`${n}  (node)`);
    return;
  }
  for (const n of names) {
    const attrs = stanza ? { ...nodes[n] } : { ...DEFAULTS, ...nodes[n] };
    if (stanza) {
      out("# <xCAT data object stanza file>");
      out("");
      out(`${n}:`);
      out("    objtype=node");
    } else out(`Object name: ${n}`);
    const keys = only ? only.filter((k) => NODE_ATTRS.has(k)) : Object.keys(attrs);
    for (const k of keys.sort()) if (only || attrs[k] !== "") out(`    ${k}=${attrs[k] ?? ""}`);
  }
}

export function mkdefNode(name, attrs) {
  const state = load();
  state.nodes ??= {};
  if (state.nodes[name]) {
    process.stderr.write(
      `Warning: [${HOST}]: A definition for '${name}' already exists. No changes will be made.  Run again with '-f' option to force replace.\n`,
    );
    error("0 object definitions have been created or modified.");
    return exit(1);
  }
  state.nodes[name] = attrs;
  save(state);
  out("1 object definitions have been created or modified.");
}

export function chdefNode(name, attrs) {
  const state = load();
  const node = state.nodes?.[name];
  let bad = 0;
  for (const [k, v] of Object.entries(attrs)) {
    if (!NODE_ATTRS.has(k) || !node) {
      error(`'${k}' is not a valid attribute name for an object type of 'node'.`);
      error("Skipping to the next attribute.");
      bad++;
      continue;
    }
    node[k] = v;
  }
  save(state);
  if (bad) {
    error("One or more errors occured when attempting to create or modify xCAT object definitions.");
    return exit(1);
  }
  out("1 object definitions have been created or modified.");
}

export function nodeset(argv) {
  const state = load();
  const names = expand(state, argv[0]);
  if (!names) return;
  const what = argv[1] ?? "";
  if (what === "stat") {
    for (const n of names) out(`${n}: ${state.nodes[n].currstate || "boot"}`);
    return;
  }
  if (what === "offline") {
    for (const n of names) {
      state.nodes[n].currstate = "offline";
      out(`${n}: offline`);
    }
    save(state);
    return dhcp(state);
  }
  const m = /^osimage=(.+)$/.exec(what);
  if (!m) {
    error('The options "install", "netboot", and "statelite" have been deprecated, use "osimage=<osimage_name>" instead.');
    return exit(1);
  }
  // Without an address xnba cannot be configured, whatever the image (transcripts 29, 31).
  if (names.some((n) => !state.nodes[n].ip)) {
    error(`Failed to generate xnba configurations for some node(s) on ${HOST}. Check xCAT log file for more details.`);
    return exit(1);
  }
  const img = state.osimages[m[1]];
  if (!img) {
    error(`Cannot find the OS image ${m[1]} in the osimage table.`);
    return exit(1);
  }
  for (const n of names) {
    const node = state.nodes[n];
    Object.assign(node, {
      currstate: `netboot ${img.osvers}-${img.osarch}-${img.profile}`,
      os: img.osvers,
      profile: img.profile,
      provmethod: m[1],
    });
    out(`${n}: netboot ${img.osvers}-${img.osarch}-${img.profile}`);
  }
  save(state);
  dhcp(state);
}

function dhcp(state) {
  if (state.dhcp) return;
  error("The selected DHCP backend 'isc' is not available on this system.");
  exit(1);
}

export async function rpower(argv) {
  const state = load();
  const names = expand(state, argv[0]);
  if (!names) return;
  const action = argv[1];
  let rc = 0;
  // xCAT answers per node in completion order: unreachable BMCs time out last.
  const late = [];
  for (const n of names) {
    const node = state.nodes[n];
    const addr = node.bmc || node.ip;
    if (!addr) {
      perNodeError(n, `Could not resolve ${n} to an address`);
      rc = 1;
      continue;
    }
    const bmc = state.bmcs?.[addr];
    if (!bmc) {
      late.push(n);
      rc = 1;
      continue;
    }
    if (["stat", "state", "status"].includes(action)) out(`${n}: ${bmc.power}`);
    else if (action === "on") {
      if (bmc.power !== "on") boot(state, n, bmc);
      out(`${n}: on`);
    } else if (action === "off") {
      bmc.power = "off";
      node.status = "powering-off";
      node.statustime = statustime(new Date());
      delete state.boots?.[n];
      out(`${n}: off`);
    } else if (action === "reset") {
      // IPMI: reset on a powered-off node does nothing and says so
      if (bmc.power === "off") out(`${n}: off`);
      else {
        boot(state, n, bmc);
        out(`${n}: reset`);
      }
    } else if (action === "boot") {
      const was = bmc.power;
      boot(state, n, bmc);
      out(`${n}: ${was === "on" ? "reset" : "on"}`);
    } else {
      perNodeError(n, `Unsupported command: rpower ${action}`);
      rc = 1;
    }
  }
  save(state);
  if (late.length) await new Promise((r) => setTimeout(r, Number(process.env.FAKE_XCAT_RPOWER_TIMEOUT_MS ?? 0)));
  for (const n of late.reverse()) perNodeError(n, "ERROR: timeout");
  exit(rc);
}

/** Power on: the node netboots what nodeset assigned, i.e. the image's rootimg.cpio.gz as it is right now. */
function boot(state, name, bmc) {
  bmc.power = "on";
  const node = state.nodes[name];
  node.status = "powering-on";
  node.statustime = statustime(new Date());
  state.boots ??= {};
  let xcatinfo = "";
  const img = node.currstate?.startsWith("netboot ") ? state.osimages[node.provmethod] : undefined;
  if (img) {
    const dir = img.rootimgdir || `${installdirOf(state.site)}/netboot/${img.osvers}/${img.osarch}/${img.profile}`;
    const r = spawnSync("bsdtar", ["-xOf", `${dir}/rootimg.cpio.gz`, "opt/xcat/xcatinfo", "./opt/xcat/xcatinfo"], { encoding: "utf8" });
    xcatinfo = r.stdout ?? "";
  }
  state.boots[name] = { at: Date.now(), xcatinfo, image: img ? node.provmethod : null };
}

export function nodestat(argv) {
  const state = load();
  const names = expand(
    state,
    argv.find((a) => !a.startsWith("-")),
  );
  if (!names) return;
  // A node whose name does not resolve is reported first (the fake takes "no ip" for that); without fping nothing
  // else is checked (transcripts 28, 42).
  for (const n of names) if (!state.nodes[n].ip) out(`${n}: Please make sure ${n} exists in /etc/hosts`);
  if (state.fping === false) return out("Unable to find fping on system, must install fping package to use nodestat -f");
  for (const n of names) {
    const node = state.nodes[n];
    const bmc = state.bmcs?.[node.bmc || node.ip];
    const b = state.boots?.[n];
    if (!node.ip) continue;
    // Without a fake BMC the address is taken to answer ping (the recording's loopback addresses did).
    else if (!bmc) out(`${n}: ping ${node.currstate ?? ""}`.trimEnd());
    else if (bmc.power !== "on" || !b) out(`${n}: noping`);
    else if (Date.now() - b.at < BOOT_MS) out(`${n}: ping ${node.currstate ?? ""}`.trimEnd());
    else out(`${n}: sshd`);
  }
}

/** `ssh [-o opt]... NODE COMMAND...`: only what Rootimg Studio runs on a node (`cat /opt/xcat/xcatinfo`, `reboot`). */
export function ssh(argv) {
  const args = [...argv];
  while (args[0]?.startsWith("-")) args.splice(0, args[0] === "-o" || args[0] === "-p" || args[0] === "-i" || args[0] === "-l" ? 2 : 1);
  const [node, ...cmd] = args;
  const state = load();
  const n = state.nodes?.[node];
  const b = state.boots?.[node];
  const bmc = n && state.bmcs?.[n.bmc || n.ip];
  if (!n?.ip) {
    process.stderr.write(`ssh: Could not resolve hostname ${node}: Name or service not known\n`);
    return exit(255);
  }
  if (!b || !bmc || bmc.power !== "on" || Date.now() - b.at < BOOT_MS) {
    process.stderr.write(`ssh: connect to host ${node} port 22: Connection refused\n`);
    return exit(255);
  }
  const line = cmd.join(" ");
  if (line === "cat /opt/xcat/xcatinfo") {
    if (!b.xcatinfo) {
      process.stderr.write("cat: /opt/xcat/xcatinfo: No such file or directory\n");
      return exit(1);
    }
    return process.stdout.write(b.xcatinfo);
  }
  if (line === "reboot") {
    boot(state, node, bmc);
    save(state);
    return;
  }
  process.stderr.write(`bash: line 1: ${cmd[0]}: command not found\n`);
  exit(127);
}
