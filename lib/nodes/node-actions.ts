/**
 * What the Nodes page shows and the single actions it offers besides a deploy: test host power, and xCAT's
 * `rpower` / `nodeset` / `ssh NODE reboot` on chosen nodes. Every action is audited with its nodes and result.
 */
import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { getDeploySettings } from "@/lib/deploy/deploy-settings";
import { deployingJobOf } from "@/lib/deploy/start-deploy";
import { AppError } from "@/lib/errors";
import { getBackend } from "@/lib/xcat/select-backend";
import type { NodeOutcome, PowerAction } from "./parse-node-commands";
import { isRunning, powerOff } from "./test-host-runner";
import { getTestHost, listTestHosts, powerOnTestHost, toTestHostDto } from "./test-hosts";
import { XcatNodes } from "./xcat-nodes";

type User = { id: string; username: string };

export async function listAllNodes() {
  const backend = getBackend().kind;
  const testHosts = (await listTestHosts()).map((h) => ({ ...h, deployingJob: deployingJobOf("testhost", h.name) ?? null }));
  let xcat = null;
  if (backend === "xcat") {
    const x = new XcatNodes();
    try {
      const [nodes, groups] = await Promise.all([x.listNodes(), x.listGroups()]);
      xcat = {
        nodes: nodes.map((n) => ({
          name: n.name,
          arch: n.arch ?? null,
          groups: n.groups,
          currstate: n.currstate ?? null,
          provmethod: n.provmethod ?? null,
          status: n.status ?? null,
          statustime: n.statustime ?? null,
          deployingJob: deployingJobOf("xcat", n.name) ?? null,
        })),
        groups,
        error: null,
      };
    } catch (e) {
      xcat = { nodes: [], groups: [], error: (e as Error).message };
    }
  }
  return { backend, testHosts, xcat, settings: await getDeploySettings() };
}

async function audit(user: User, action: string, nodes: string[], outcome: "ok" | "error", detail: unknown) {
  await prisma.$transaction((tx) =>
    recordAudit(tx, { user, action, node: nodes.length === 1 ? nodes[0] : null, target: nodes.join(","), outcome, detail }),
  );
}

export async function powerTestHost(user: User, name: string, action: "on" | "off" | "reset") {
  await getTestHost(name);
  const job = deployingJobOf("testhost", name);
  if (job) throw new AppError("conflict", `${name} is being deployed (job ${job}); wait for it or cancel it`);
  try {
    if (action === "off") await powerOff(name);
    else if (action === "on" && isRunning(name)) throw new AppError("conflict", `${name} is already on; use reset to restart it`);
    else await powerOnTestHost(name);
    await audit(user, "node.power", [name], "ok", { testHost: true, action });
  } catch (e) {
    await audit(user, "node.power", [name], "error", { testHost: true, action, error: (e as Error).message });
    throw e;
  }
  return toTestHostDto(await getTestHost(name));
}

function requireXcat(): XcatNodes {
  if (getBackend().kind !== "xcat") throw new AppError("unprocessable", "no xCAT here: nodes exist only as test hosts");
  return new XcatNodes();
}

export async function powerNodes(
  user: User,
  nodes: string[],
  action: PowerAction | "ssh-reboot",
): Promise<{ command: string; results: NodeOutcome[] }> {
  const x = requireXcat();
  let out: { command: string; results: NodeOutcome[] };
  if (action === "ssh-reboot") {
    const results: NodeOutcome[] = [];
    for (const n of nodes) {
      const r = await x.sshReboot(n);
      results.push({ node: n, ok: r.ok, error: r.message, warnings: [] });
    }
    out = { command: nodes.map((n) => `ssh ${n} reboot`).join("; "), results };
  } else out = await x.rpower(nodes, action);
  // a query changes nothing: only actions are audited
  if (action !== "stat")
    await audit(user, "node.power", nodes, out.results.every((r) => r.ok) ? "ok" : "error", { command: out.command, results: out.results });
  return out;
}

export async function nodesetNodes(user: User, nodes: string[], image: string) {
  const x = requireXcat();
  await getBackend().getImage(image);
  const out = await x.nodeset(nodes, image);
  await prisma.$transaction((tx) =>
    recordAudit(tx, {
      user,
      action: "node.nodeset",
      image,
      node: nodes.length === 1 ? nodes[0] : null,
      target: nodes.join(","),
      outcome: out.results.every((r) => r.ok) ? "ok" : "error",
      detail: { command: out.command, results: out.results },
    }),
  );
  return out;
}
