/**
 * xCAT's nodes through its CLI (argument arrays, never a shell): names and groups from `lsdef`, `nodeset`,
 * `rpower`, `nodestat`, and `ssh NODE ...` for what only the node can tell (the stamp it booted) or do
 * (reboot itself). Every result is per node (docs/nodes.md).
 */
import path from "node:path";
import { AppError } from "@/lib/errors";
import { parseXcatMessages } from "@/lib/xcat/parse-lsdef";
import { type CommandResult, runCommand } from "@/lib/xcat/run-command";
import { xcatRoot } from "@/lib/xcat/xcat-backend";
import {
  type NodeOutcome,
  type NodestatOutcome,
  type PowerAction,
  type PowerOutcome,
  parseGroupNames,
  parseNodeNames,
  parseNodeObjects,
  parseNodeset,
  parseNodestat,
  parseRpower,
  parseXcatinfo,
  type XcatNode,
} from "./parse-node-commands";

/** ssh options for a non-interactive call to a node: never a password prompt, a bounded wait. */
const SSH_OPTS = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "StrictHostKeyChecking=accept-new"];

export type XcatNodeRun = (rel: string, args: string[], signal?: AbortSignal) => Promise<CommandResult>;

export class XcatNodes {
  constructor(
    private readonly root = xcatRoot(),
    /** the ssh client (ROOTIMG_SSH; tests point it at the fake xCAT's) */
    private readonly ssh = process.env.ROOTIMG_SSH || "ssh",
  ) {}

  /** The exact command line, for the audit log and the job log. */
  commandLine(rel: string, args: string[]): string {
    return [path.basename(rel), ...args].join(" ");
  }

  private run(rel: string, args: string[], signal?: AbortSignal) {
    return runCommand({ cmd: path.join(this.root, rel), args, signal });
  }

  private fail(r: CommandResult): AppError {
    const errs = parseXcatMessages(r.stderr).errors;
    return new AppError("unavailable", `${path.basename(r.cmd)} failed: ${errs.join("; ") || r.stderr.trim() || `exit code ${r.code}`}`);
  }

  async listNodes(): Promise<XcatNode[]> {
    const names = await this.run("bin/lsdef", ["-t", "node"]);
    if (names.code !== 0) throw this.fail(names);
    if (parseNodeNames(names.stdout).length === 0) return [];
    const long = await this.run("bin/lsdef", ["-t", "node", "-l"]);
    if (long.code !== 0) throw this.fail(long);
    return parseNodeObjects(long.stdout);
  }

  async listGroups(): Promise<string[]> {
    const r = await this.run("bin/lsdef", ["-t", "group"]);
    if (r.code !== 0) throw this.fail(r);
    return parseGroupNames(r.stdout);
  }

  async nodeset(nodes: string[], image: string, signal?: AbortSignal): Promise<{ command: string; results: NodeOutcome[] }> {
    const args = [nodes.join(","), `osimage=${image}`];
    const r = await this.run("bin/nodeset", args, signal);
    return { command: this.commandLine("bin/nodeset", args), results: parseNodeset(r.stdout, r.stderr, nodes) };
  }

  async rpower(nodes: string[], action: PowerAction, signal?: AbortSignal): Promise<{ command: string; results: PowerOutcome[] }> {
    const args = [nodes.join(","), action];
    const r = await this.run("bin/rpower", args, signal);
    return { command: this.commandLine("bin/rpower", args), results: parseRpower(r.stdout, r.stderr, nodes, action) };
  }

  async nodestat(nodes: string[], signal?: AbortSignal): Promise<NodestatOutcome[]> {
    const r = await this.run("bin/nodestat", [nodes.join(",")], signal);
    return parseNodestat(r.stdout, r.stderr, nodes).nodes;
  }

  /** `ssh NODE cat /opt/xcat/xcatinfo`: the stamp of the pack the node runs, or why it could not be read. */
  async readStamp(
    node: string,
    signal?: AbortSignal,
  ): Promise<{ ok: true; xcatinfo: Record<string, string> } | { ok: false; message: string }> {
    const r = await runCommand({ cmd: this.ssh, args: [...SSH_OPTS, node, "cat", "/opt/xcat/xcatinfo"], signal });
    if (r.code !== 0) return { ok: false, message: r.stderr.trim() || `ssh exited with code ${r.code}` };
    return { ok: true, xcatinfo: parseXcatinfo(r.stdout) };
  }

  /** `ssh NODE reboot`: for nodes whose BMC cannot be reached but which still run. */
  async sshReboot(node: string, signal?: AbortSignal): Promise<{ command: string; ok: boolean; message?: string }> {
    const args = [...SSH_OPTS, node, "reboot"];
    const r = await runCommand({ cmd: this.ssh, args, signal });
    // a reboot may cut the connection before ssh exits cleanly (255 with "closed by remote host")
    const ok = r.code === 0 || /closed by remote host|Connection to .* closed/.test(r.stderr);
    return {
      command: ["ssh", node, "reboot"].join(" "),
      ok,
      message: ok ? undefined : r.stderr.trim() || `ssh exited with code ${r.code}`,
    };
  }
}
