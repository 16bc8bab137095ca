/**
 * A deploy: assign an image version to nodes ("nodeset"), power them, watch them boot and read back the stamp
 * of the pack they booted. One job, one DeployTarget row per node, every move live in the room `deploy:<job>`.
 *
 * Rails, checked before the job starts: explicit nodes or one group (never everything by default), at most the
 * admin's cap, no node already deploying, every node known and of the image's architecture, the version packed;
 * who may deploy what to which nodes is decided in one place, deploy-policy.ts. The source is an image (its live version) or one of its versions;
 * an approved change request is deployed as the version packed from it (the plan names the request).
 */
import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { listVersions } from "@/lib/images/versions";
import type { JobContext } from "@/lib/jobs/job-types";
import { startJob } from "@/lib/jobs/start-job";
import type { PowerAction } from "@/lib/nodes/parse-node-commands";
import { isRunning, powerOff, powerOn, waitForBoot } from "@/lib/nodes/test-host-runner";
import { assignVersion, getTestHost, resolveBoot, TEST_HOST_ARCH } from "@/lib/nodes/test-hosts";
import { XcatNodes } from "@/lib/nodes/xcat-nodes";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { requestDeployed } from "@/lib/requests/pack-gate";
import { getBackend } from "@/lib/xcat/select-backend";
import { advance, type DeployEvent, initialTarget, isFinal, summarize, type TargetState } from "./deploy-machine";
import { assertDeployAllowed } from "./deploy-policy";
import { getDeploySettings } from "./deploy-settings";

export type DeployUser = { id: string; username: string; role: string };
/** What is deployed. A reviewed change request will add `{ kind: "change", id }`. */
export type DeploySource = { kind: "image"; image: string } | { kind: "version"; image: string; seq: number };
/** How xCAT nodes are restarted: an rpower action, or `ssh NODE reboot`. */
export type XcatPowerMethod = Extract<PowerAction, "boot" | "reset" | "on"> | "ssh-reboot";

export type DeployRequest = {
  user: DeployUser;
  source: DeploySource;
  testHosts?: string[];
  nodes?: string[];
  group?: string;
  power?: XcatPowerMethod;
  /** false: only check and describe what would run (the confirm screen) */
  confirm: boolean;
};

export type DeployPlan = {
  image: string;
  seq: number;
  stampUuid: string | null;
  packedAt: string;
  targets: { name: string; kind: "testhost" | "xcat" }[];
  power: XcatPowerMethod;
  /** the change request the version was packed from (ImageVersion.changeId) */
  changeId: string | null;
};

type Target = { name: string; kind: "testhost" | "xcat" };

// Nodes with a deploy running in this process → job id (on globalThis like the job registry).
const g = globalThis as unknown as { rootimgDeploying?: Map<string, string> };
g.rootimgDeploying ??= new Map();
const deploying = g.rootimgDeploying;
const key = (t: Target) => `${t.kind}:${t.name}`;

export function deployingJobOf(kind: Target["kind"], name: string): string | undefined {
  return deploying.get(`${kind}:${name}`);
}

async function plan(req: DeployRequest): Promise<DeployPlan> {
  const { source, user } = req;
  const testHosts = [...new Set(req.testHosts ?? [])];
  const names = [...new Set(req.nodes ?? [])];
  if (!testHosts.length && !names.length && !req.group)
    throw new AppError("unprocessable", "pick the nodes to deploy to: test hosts, node names or a group");

  const image = await getBackend().getImage(source.image);
  const versions = await listVersions(source.image);
  if (!versions.length) throw new AppError("unprocessable", `${source.image} was never packed: pack it before deploying`);
  const v = source.kind === "version" ? versions.find((x) => x.seq === source.seq) : versions.find((x) => x.live);
  if (!v)
    throw new AppError(
      "not_found",
      source.kind === "version" ? `version ${source.seq} of ${source.image} is not kept` : `${source.image} has no live version`,
    );
  await assertDeployAllowed({
    user,
    image: source.image,
    seq: v.seq,
    stampUuid: v.stampUuid,
    changeId: v.changeId,
    testHosts,
    nodes: names,
    group: req.group,
  });

  const targets: Target[] = [];
  for (const name of testHosts) {
    await getTestHost(name).catch(() => {
      throw new AppError("not_found", `unknown test host ${name}`);
    });
    if (image.osarch && image.osarch !== TEST_HOST_ARCH)
      throw new AppError("unprocessable", `${name} is an ${TEST_HOST_ARCH} test host; ${image.imagename} is ${image.osarch}`);
    targets.push({ name, kind: "testhost" });
  }
  if (names.length || req.group) {
    if (getBackend().kind !== "xcat") throw new AppError("unprocessable", "no xCAT here: only test hosts can be deployed to");
    if (!v.live)
      throw new AppError(
        "unprocessable",
        `xCAT nodes boot the live archive of ${source.image}: roll back to version ${v.seq} first, then deploy the image`,
      );
    const all = await new XcatNodes().listNodes();
    const byName = new Map(all.map((n) => [n.name, n]));
    const unknown = names.filter((n) => !byName.has(n));
    if (unknown.length) throw new AppError("not_found", `unknown node${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`);
    const members = req.group ? all.filter((n) => n.groups.includes(req.group!)).map((n) => n.name) : [];
    if (req.group && !members.length) throw new AppError("not_found", `group ${req.group} has no nodes`);
    for (const n of [...new Set([...names, ...members])]) {
      const arch = byName.get(n)!.arch;
      if (arch && image.osarch && arch !== image.osarch)
        throw new AppError("unprocessable", `${n} is ${arch}; ${image.imagename} is ${image.osarch}`);
      targets.push({ name: n, kind: "xcat" });
    }
  }
  const { maxNodes } = await getDeploySettings();
  if (targets.length > maxNodes)
    throw new AppError("unprocessable", `${targets.length} nodes picked; an admin allows at most ${maxNodes} per deploy`);
  const busy = targets.filter((t) => deploying.has(key(t)));
  if (busy.length)
    throw new AppError("conflict", `already deploying: ${busy.map((t) => `${t.name} (job ${deploying.get(key(t))})`).join(", ")}`);
  return {
    image: source.image,
    seq: v.seq,
    stampUuid: v.stampUuid,
    packedAt: v.packedAt.toISOString(),
    targets,
    power: req.power ?? "boot",
    changeId: v.changeId,
  };
}

/** Checks the request; with `confirm` starts the job and returns its id, otherwise returns the plan only. */
export async function startDeploy(req: DeployRequest): Promise<{ plan: DeployPlan; jobId?: string }> {
  let p: DeployPlan;
  try {
    p = await plan(req);
  } catch (e) {
    if (req.confirm && e instanceof AppError && e.code === "forbidden")
      await prisma.$transaction((tx) =>
        recordAudit(tx, {
          user: req.user,
          action: "deploy",
          image: req.source.image,
          outcome: "denied",
          detail: { error: e.message, nodes: req.nodes, group: req.group },
        }),
      );
    throw e;
  }
  if (!req.confirm) return { plan: p };
  for (const t of p.targets) deploying.set(key(t), "starting");
  let jobId: string;
  try {
    jobId = await startJob({
      type: "deploy",
      user: req.user,
      image: p.image,
      node: p.targets.length === 1 ? p.targets[0].name : undefined,
      unit: "nodes",
      total: p.targets.length,
      params: { image: p.image, seq: p.seq, stampUuid: p.stampUuid, nodes: p.targets.map((t) => t.name), power: p.power },
      run: (ctx) => runDeploy(ctx, req.user, p),
    });
  } catch (e) {
    for (const t of p.targets) deploying.delete(key(t));
    throw e;
  }
  for (const t of p.targets) deploying.set(key(t), jobId);
  return { plan: p, jobId };
}

export type DeployTargetDto = TargetState & { kind: "testhost" | "xcat"; image: string; versionSeq: number };

async function runDeploy(ctx: JobContext, user: DeployUser, p: DeployPlan) {
  const rows = new Map<string, { id: number; t: TargetState; kind: Target["kind"] }>();
  try {
    for (const tg of p.targets) {
      const t = initialTarget(tg.name, p.stampUuid);
      const row = await prisma.deployTarget.create({
        data: {
          jobId: ctx.jobId,
          node: tg.name,
          kind: tg.kind,
          image: p.image,
          versionSeq: p.seq,
          expectedUuid: p.stampUuid,
          state: t.state,
          history: JSON.stringify(t.history),
        },
      });
      rows.set(tg.name, { id: row.id, t, kind: tg.kind });
      emitTarget(ctx.jobId, rows.get(tg.name)!, p);
    }
    ctx.log(`deploying ${p.image} version ${p.seq} (IMAGEUUID ${p.stampUuid ?? "none"}) to ${p.targets.map((t) => t.name).join(", ")}`);
    const move = async (node: string, ev: DeployEvent) => {
      const r = rows.get(node)!;
      if (isFinal(r.t.state)) return;
      r.t = advance(r.t, ev);
      await prisma.deployTarget.update({
        where: { id: r.id },
        data: { state: r.t.state, seenUuid: r.t.seenUuid, message: r.t.message, history: JSON.stringify(r.t.history) },
      });
      emitTarget(ctx.jobId, r, p);
      ctx.log(
        `${node}: ${r.t.state}${r.t.message && (isFinal(r.t.state) || ev.type === "fail") ? ` — ${r.t.message}` : "detail" in ev && ev.detail ? ` (${ev.detail})` : ""}`,
        r.t.state === "failed" || r.t.state === "mismatch" ? "stderr" : "info",
      );
      ctx.progress([...rows.values()].filter((x) => isFinal(x.t.state)).length);
    };
    const hosts = p.targets.filter((t) => t.kind === "testhost").map((t) => t.name);
    const nodes = p.targets.filter((t) => t.kind === "xcat").map((t) => t.name);
    await Promise.all([deployTestHosts(ctx, user, p, hosts, move), deployXcatNodes(ctx, user, p, nodes, move)]);
  } finally {
    if (ctx.signal.aborted) for (const [node, r] of rows) if (!isFinal(r.t.state)) await failQuietly(ctx, rows, node, p, "cancelled");
    for (const t of p.targets) if (deploying.get(key(t)) === ctx.jobId) deploying.delete(key(t));
  }
  const targets = [...rows.values()].map((r) => r.t);
  const s = summarize(targets);
  ctx.log(s.text, s.ok ? "info" : "stderr");
  // A request is deployed where its version is proven booted (the stamp matched), not where a deploy only started.
  const verified = targets.filter((t) => t.state === "verified").map((t) => t.node);
  if (verified.length) await requestDeployed({ changeId: p.changeId, seq: p.seq, nodes: verified, jobId: ctx.jobId, user });
  if (!s.ok) throw new AppError("unprocessable", `deploy of ${p.image} version ${p.seq}: ${s.text}`);
  return { summary: s.text, targets };
}

async function failQuietly(
  ctx: JobContext,
  rows: Map<string, { id: number; t: TargetState; kind: Target["kind"] }>,
  node: string,
  p: DeployPlan,
  message: string,
) {
  const r = rows.get(node)!;
  r.t = advance(r.t, { type: "fail", message });
  await prisma.deployTarget
    .update({ where: { id: r.id }, data: { state: r.t.state, message: r.t.message, history: JSON.stringify(r.t.history) } })
    .catch(() => {});
  emitTarget(ctx.jobId, r, p);
}

function emitTarget(jobId: string, r: { t: TargetState; kind: Target["kind"] }, p: DeployPlan) {
  emitTo(room.deploy(jobId), "deploy:target", {
    jobId,
    ...r.t,
    kind: r.kind,
    image: p.image,
    versionSeq: p.seq,
  } satisfies DeployTargetDto & { jobId: string });
}

type Move = (node: string, ev: DeployEvent) => Promise<void>;

async function audit(user: DeployUser, action: string, image: string, nodes: string[], outcome: "ok" | "error", detail: unknown) {
  await prisma.$transaction((tx) =>
    recordAudit(tx, { user, action, image, node: nodes.length === 1 ? nodes[0] : null, target: nodes.join(","), outcome, detail }),
  );
}

async function deployTestHosts(ctx: JobContext, user: DeployUser, p: DeployPlan, hosts: string[], move: Move) {
  await Promise.all(
    hosts.map(async (name) => {
      try {
        await assignVersion(name, p.image, p.seq);
        await audit(user, "node.nodeset", p.image, [name], "ok", { testHost: true, version: p.seq, jobId: ctx.jobId });
        await move(name, { type: "nodeset-done", detail: `version ${p.seq}` });
        const { spec } = await resolveBoot(await getTestHost(name));
        // a machine still running is stopped first, so its end is not taken for this boot's result;
        // then listen before powering on: the stamp must not be missed
        if (isRunning(name)) await powerOff(name);
        const booted = waitForBoot(name, ctx.signal);
        booted.catch(() => {});
        try {
          await powerOn(spec);
        } catch (e) {
          await audit(user, "node.power", p.image, [name], "error", {
            testHost: true,
            action: "on",
            error: (e as Error).message,
            jobId: ctx.jobId,
          });
          throw e;
        }
        await audit(user, "node.power", p.image, [name], "ok", { testHost: true, action: "on", jobId: ctx.jobId });
        await move(name, { type: "power-sent", detail: "QEMU started" });
        await move(name, { type: "booting" });
        const r = await booted;
        if (r.ok)
          await move(name, { type: "stamp", uuid: r.xcatinfo.IMAGEUUID, imagename: r.xcatinfo.IMAGENAME, timestamp: r.xcatinfo.TIMESTAMP });
        else await move(name, { type: "fail", message: r.message });
      } catch (e) {
        if (ctx.signal.aborted) return;
        await move(name, { type: "fail", message: (e as Error).message });
      }
    }),
  );
}

async function deployXcatNodes(ctx: JobContext, user: DeployUser, p: DeployPlan, nodes: string[], move: Move) {
  if (!nodes.length) return;
  const x = new XcatNodes();
  const set = await x.nodeset(nodes, p.image, ctx.signal);
  ctx.log(`$ ${set.command}`);
  const okNodes: string[] = [];
  for (const r of set.results) {
    if (r.ok) {
      okNodes.push(r.node);
      await move(r.node, { type: "nodeset-done", detail: r.text });
      for (const w of r.warnings) ctx.log(`${r.node}: nodeset warning: ${w}`, "stderr");
    } else await move(r.node, { type: "fail", message: `nodeset: ${r.error}` });
  }
  await audit(user, "node.nodeset", p.image, nodes, set.results.every((r) => r.ok) ? "ok" : "error", {
    command: set.command,
    results: set.results,
    jobId: ctx.jobId,
  });
  if (!okNodes.length) return;

  const powered: string[] = [];
  if (p.power === "ssh-reboot") {
    for (const n of okNodes) {
      const r = await x.sshReboot(n, ctx.signal);
      ctx.log(`$ ${r.command}`);
      await audit(user, "node.power", p.image, [n], r.ok ? "ok" : "error", { command: r.command, error: r.message, jobId: ctx.jobId });
      if (r.ok) {
        powered.push(n);
        await move(n, { type: "power-sent", detail: "ssh reboot" });
      } else await move(n, { type: "fail", message: `ssh reboot: ${r.message}` });
    }
  } else {
    const pw = await x.rpower(okNodes, p.power, ctx.signal);
    ctx.log(`$ ${pw.command}`);
    for (const r of pw.results) {
      if (r.ok) {
        powered.push(r.node);
        await move(r.node, { type: "power-sent", detail: `rpower ${p.power}: ${r.text}` });
      } else await move(r.node, { type: "fail", message: `rpower ${p.power}: ${r.error}` });
    }
    await audit(user, "node.power", p.image, okNodes, pw.results.every((r) => r.ok) ? "ok" : "error", {
      command: pw.command,
      results: pw.results,
      jobId: ctx.jobId,
    });
  }
  await watchXcatBoots(ctx, x, powered, move);
}

/** Polls nodestat until each node answers ssh, then reads its stamp; a node past the time limit fails. */
async function watchXcatBoots(ctx: JobContext, x: XcatNodes, nodes: string[], move: Move) {
  const { xcatBootTimeoutSec } = await getDeploySettings();
  const deadline = Date.now() + xcatBootTimeoutSec * 1000;
  const waiting = new Set(nodes);
  const booting = new Set<string>();
  while (waiting.size && !ctx.signal.aborted) {
    const stats = await x.nodestat([...waiting], ctx.signal).catch(() => []);
    for (const s of stats) {
      if (!waiting.has(s.node)) continue;
      if (!booting.has(s.node) && (s.status === "ping" || s.status === "sshd")) {
        booting.add(s.node);
        await move(s.node, { type: "booting" });
      }
      if (s.status === "sshd" || s.status?.split(",").includes("ssh")) {
        const st = await x.readStamp(s.node, ctx.signal);
        if (!st.ok) continue; // sshd answers before logins work: try again on the next round
        if (!booting.has(s.node)) await move(s.node, { type: "booting" });
        await move(s.node, {
          type: "stamp",
          uuid: st.xcatinfo.IMAGEUUID,
          imagename: st.xcatinfo.IMAGENAME,
          timestamp: st.xcatinfo.TIMESTAMP,
        });
        waiting.delete(s.node);
      }
    }
    if (Date.now() > deadline) {
      for (const n of waiting) await move(n, { type: "fail", message: `did not answer ssh with its stamp within ${xcatBootTimeoutSec} s` });
      return;
    }
    if (waiting.size) await sleep(2000, ctx.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/** Stored targets of a deploy job (the room's replay and the page's first paint). */
export async function listDeployTargets(jobId: string): Promise<DeployTargetDto[]> {
  const rows = await prisma.deployTarget.findMany({ where: { jobId }, orderBy: { id: "asc" } });
  return rows.map((r) => ({
    node: r.node,
    kind: r.kind as Target["kind"],
    image: r.image,
    versionSeq: r.versionSeq,
    state: r.state as TargetState["state"],
    expectedUuid: r.expectedUuid,
    seenUuid: r.seenUuid,
    message: r.message,
    history: JSON.parse(r.history),
  }));
}
