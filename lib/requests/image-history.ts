/**
 * One timeline per image: the versions published, every step of its change requests, the commands and shells
 * run in it, and its deploys, newest first, filterable by kind and by user.
 */
import { prisma } from "@/lib/db/client";

export type HistoryKind = "version" | "request" | "command" | "deploy";
export type HistoryEntry = {
  /** unique in one history */ key: string;
  kind: HistoryKind;
  at: Date;
  user: string;
  title: string;
  ref: string;
  detail?: string;
  state?: string;
};

const LIMIT = 500;

export async function imageHistory(image: string, filter: { kind?: HistoryKind; user?: string } = {}) {
  const want = (k: HistoryKind) => !filter.kind || filter.kind === k;
  const entries: HistoryEntry[] = [];
  const versions = await prisma.imageVersion.findMany({ where: { image }, orderBy: { seq: "desc" } });
  if (want("version"))
    for (const v of versions)
      entries.push({
        key: `version-${v.seq}`,
        kind: "version",
        at: v.packedAt,
        user: v.packedBy,
        title: `version ${v.seq} published${v.live ? " (live)" : ""}`,
        ref: String(v.seq),
        detail: [v.note, v.changeId ? `from change request #${v.changeId}` : null].filter(Boolean).join("; ") || undefined,
      });
  if (want("request")) {
    const reqs = await prisma.changeRequest.findMany({ where: { image }, select: { id: true, title: true } });
    const titles = new Map(reqs.map((r) => [r.id, r.title]));
    const events = await prisma.changeRequestEvent.findMany({
      where: { requestId: { in: reqs.map((r) => r.id) } },
      orderBy: { id: "desc" },
      take: LIMIT,
    });
    for (const e of events)
      entries.push({
        key: `request-event-${e.id}`,
        kind: "request",
        at: e.at,
        user: e.username,
        title: `#${e.requestId} ${titles.get(e.requestId) ?? ""}: ${e.action.replace("_", " ")}`,
        ref: String(e.requestId),
        ...(e.toState ? { state: e.toState } : {}),
      });
  }
  if (want("command")) {
    const runs = await prisma.commandRun.findMany({
      where: { image },
      orderBy: { startedAt: "desc" },
      take: LIMIT,
      select: { id: true, kind: true, line: true, username: true, startedAt: true, state: true, exitCode: true, effectState: true },
    });
    for (const c of runs)
      entries.push({
        key: `command-${c.id}`,
        kind: "command",
        at: c.startedAt,
        user: c.username,
        title: c.kind === "shell" ? `shell session (${c.line})` : c.line,
        ref: c.id,
        state: c.state,
        detail: `${c.exitCode !== null ? `exit ${c.exitCode}, ` : ""}effect ${c.effectState}`,
      });
  }
  if (want("deploy")) {
    const jobs = await prisma.job.findMany({
      where: { image, type: "deploy" },
      orderBy: { createdAt: "desc" },
      take: LIMIT,
      select: { id: true, ownerName: true, createdAt: true, state: true, params: true },
    });
    for (const j of jobs) {
      const p = JSON.parse(j.params ?? "{}") as { seq?: number; nodes?: string[] };
      entries.push({
        key: `deploy-${j.id}`,
        kind: "deploy",
        at: j.createdAt,
        user: j.ownerName,
        title: `deploy of version ${p.seq ?? "?"} to ${(p.nodes ?? []).join(", ")}`,
        ref: j.id,
        state: j.state,
      });
    }
  }
  const users = [...new Set(entries.map((e) => e.user))].sort();
  const shown = entries
    .filter((e) => !filter.user || e.user === filter.user)
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, LIMIT);
  return {
    entries: shown,
    users,
    versions: versions.map((v) => ({ seq: v.seq, live: v.live, packedAt: v.packedAt, changeId: v.changeId })),
  };
}
