/**
 * Parsers for xCAT's node commands (`lsdef -t node|group`, `nodeset`, `rpower`, `nodestat`), on the real
 * output recorded in test/fake-xcat/xcat-transcripts-nodes.md. Rules (docs/nodes.md):
 * - data per node is `<node>: <text>` on stdout; a per-node error is `<node>: [mn]: Error: <text>` on stderr;
 * - an error of the whole request is `Error: [mn]: <text>` (or `Error: <text>` when the client itself refuses,
 *   e.g. `Invalid nodes and/or groups in noderange: X`);
 * - `nodeset` may print `Error: ...` lines on stdout too (missing host keys), and exits 1 when anything failed
 *   even if every node got its line (a missing DHCP server), so results are read per node, not from the exit code.
 */
import { parseObjectList, parseObjectStanzas, splitLines, type XcatObject } from "@/lib/xcat/parse-lsdef";

export type NodeOutcome = {
  node: string;
  ok: boolean;
  /** the node's data line without `<node>: ` (e.g. `netboot rhels8-x86_64-compute`, `on`) */
  text?: string;
  /** xCAT's message for this node when it failed */
  error?: string;
  /** request-wide errors and warnings printed while this node succeeded (e.g. the DHCP backend missing) */
  warnings: string[];
};

export type PerNodeOutput = {
  /** data lines per node, in order */
  lines: Map<string, string[]>;
  /** per-node errors */
  errors: Map<string, string[]>;
  /** errors and warnings of the whole request (text after `Error: [mn]: `) */
  requestErrors: string[];
  requestWarnings: string[];
  /** anything else (e.g. `Unable to find fping on system, ...`) */
  other: string[];
};

const MESSAGE = /^(Error|Warning): (?:\[[^\]]*\]: )?(.*)$/;
const NODE_MESSAGE = /^(\S+): (?:\[[^\]]*\]: )?(Error|Warning): (.*)$/;
const NODE_LINE = /^(\S+): (.*)$/;

/** Splits stdout and stderr of a per-node xCAT command. Only names in `nodes` count as nodes. */
export function parsePerNode(stdout: string, stderr: string, nodes: readonly string[]): PerNodeOutput {
  const known = new Set(nodes);
  const out: PerNodeOutput = { lines: new Map(), errors: new Map(), requestErrors: [], requestWarnings: [], other: [] };
  const push = (m: Map<string, string[]>, k: string, v: string) => m.set(k, [...(m.get(k) ?? []), v]);
  for (const line of [...splitLines(stdout), ...splitLines(stderr)]) {
    if (line.trim() === "") continue;
    const msg = MESSAGE.exec(line);
    if (msg) {
      (msg[1] === "Error" ? out.requestErrors : out.requestWarnings).push(msg[2]);
      continue;
    }
    const nodeMsg = NODE_MESSAGE.exec(line);
    if (nodeMsg && known.has(nodeMsg[1])) {
      if (nodeMsg[2] === "Error") push(out.errors, nodeMsg[1], nodeMsg[3]);
      else out.requestWarnings.push(`${nodeMsg[1]}: ${nodeMsg[3]}`);
      continue;
    }
    const data = NODE_LINE.exec(line);
    if (data && known.has(data[1])) {
      push(out.lines, data[1], data[2]);
      continue;
    }
    out.other.push(line);
  }
  return out;
}

/** One outcome per requested node: its error, else its data line, else the request's error (or "no answer"). */
export function outcomesPerNode(
  out: PerNodeOutput,
  nodes: readonly string[],
  isSuccess: (text: string) => boolean = () => true,
): NodeOutcome[] {
  return nodes.map((node) => {
    const errors = out.errors.get(node);
    if (errors?.length) return { node, ok: false, error: errors.join("; "), warnings: [] };
    const lines = out.lines.get(node) ?? [];
    const text = lines.at(-1);
    if (text !== undefined && isSuccess(text)) return { node, ok: true, text, warnings: [...out.requestErrors, ...out.requestWarnings] };
    const why = text ?? (out.requestErrors.join("; ") || `xCAT printed nothing for ${node}`);
    return { node, ok: false, text, error: why, warnings: [] };
  });
}

/** `nodeset NODES osimage=IMAGE`: per node `netboot <os>-<arch>-<profile>` (not the image name). */
export function parseNodeset(stdout: string, stderr: string, nodes: readonly string[]): NodeOutcome[] {
  return outcomesPerNode(parsePerNode(stdout, stderr, nodes), nodes, (t) =>
    /^(netboot|install|statelite|offline|boot|shell|runcmd=)/.test(t),
  );
}

export type PowerAction = "stat" | "on" | "off" | "reset" | "boot";
export type PowerOutcome = NodeOutcome & { power?: "on" | "off" };

/**
 * `rpower NODES ACTION`: `<node>: on|off|reset` per node. IPMI answers `reset` on a powered-off node with
 * `off` and does nothing: that is reported as a failure (the node did not restart), `boot` is the safe action.
 */
export function parseRpower(stdout: string, stderr: string, nodes: readonly string[], action: PowerAction): PowerOutcome[] {
  const out = parsePerNode(stdout, stderr, nodes);
  return outcomesPerNode(out, nodes).map((o) => {
    if (!o.ok || o.text === undefined) return o;
    const word = o.text.split(/\s+/)[0].toLowerCase();
    const power = word === "on" || word === "reset" || word === "running" ? "on" : word === "off" || word === "not" ? "off" : undefined;
    if (action === "reset" && power === "off")
      return { ...o, ok: false, power, error: `${o.node} is powered off: reset does nothing on IPMI; use boot or on` };
    if ((action === "on" || action === "boot") && power === "off") return { ...o, ok: false, power, error: `${o.node} stayed off` };
    return { ...o, power };
  });
}

export type NodestatOutcome = {
  node: string;
  /** `sshd`, `ping`, `noping`, an app list like `nrpe,pbs,ssh`, or undefined when xCAT could not tell */
  status?: string;
  /** the deployment state xCAT shows for a pingable node mid-deploy (e.g. `netboot rhels8-x86_64-compute`) */
  currstate?: string;
  error?: string;
};

/** `nodestat NODES`: `<node>: <status>[ <currstate>]`; without fping or /etc/hosts entries xCAT prints a note instead. */
export function parseNodestat(stdout: string, stderr: string, nodes: readonly string[]): { nodes: NodestatOutcome[]; notes: string[] } {
  const out = parsePerNode(stdout, stderr, nodes);
  const notes = [...out.requestErrors, ...out.requestWarnings, ...out.other];
  return {
    notes,
    nodes: nodes.map((node) => {
      const err = out.errors.get(node);
      if (err?.length) return { node, error: err.join("; ") };
      const line = out.lines.get(node)?.at(-1);
      if (line === undefined) return { node, error: out.requestErrors.join("; ") || notes.join("; ") || undefined };
      if (/^Please make sure /.test(line)) return { node, error: line };
      const [status, ...rest] = line.split(" ");
      return { node, status, currstate: rest.join(" ") || undefined };
    }),
  };
}

/** `lsdef -t node` / `lsdef -t group` short form. */
export const parseNodeNames = (stdout: string) => parseObjectList(stdout, "node");
export const parseGroupNames = (stdout: string) => parseObjectList(stdout, "group");

export type XcatNode = {
  name: string;
  arch?: string;
  groups: string[];
  /** `currstate`: what nodeset last set (`netboot <os>-<arch>-<profile>`) */
  currstate?: string;
  /** `provmethod`: the osimage nodeset last assigned */
  provmethod?: string;
  status?: string;
  statustime?: string;
  attrs: Record<string, string>;
};

/** `lsdef NODE` / `lsdef -t node -l`: one object per node. */
export function parseNodeObjects(stdout: string): XcatNode[] {
  return parseObjectStanzas(stdout).map(toNode);
}

function toNode(o: XcatObject): XcatNode {
  const a = o.attrs;
  const v = (k: string) => (a[k] ? a[k] : undefined);
  return {
    name: o.name,
    arch: v("arch"),
    groups: (a.groups ?? "").split(",").filter(Boolean),
    currstate: v("currstate"),
    provmethod: v("provmethod"),
    status: v("status"),
    statustime: v("statustime"),
    attrs: a,
  };
}

/** `lsdef -t group -o G`: `members=a,b`. */
export function parseGroupMembers(stdout: string): Map<string, string[]> {
  return new Map(parseObjectStanzas(stdout).map((o) => [o.name, (o.attrs.members ?? "").split(",").filter(Boolean)]));
}

/** `opt/xcat/xcatinfo` as printed by `cat` (or on a console): IMAGENAME, IMAGEUUID, TIMESTAMP. */
export function parseXcatinfo(text: string): { IMAGENAME?: string; IMAGEUUID?: string; TIMESTAMP?: string } {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^.*?\b(IMAGENAME|IMAGEUUID|TIMESTAMP)='([^'\r\n]*)'/gm)) out[m[1]] = m[2];
  return out;
}
