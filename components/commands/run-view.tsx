"use client";
import { useEffect, useMemo, useState } from "react";
import { formatTime } from "../format";
import { type CommandRunDetailView, useCommandCommands, useCommandRun } from "../hooks/use-commands";
import { isTerminal, useJob } from "../hooks/use-job";
import { useJobCommands } from "../hooks/use-jobs";
import { CommandOutput, chunksToLines, type OutputLine } from "./command-output";
import { EffectList } from "./effect-list";

export const formatMs = (ms: number | null | undefined) =>
  ms == null ? "" : ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;

export function describeEnd(r: Pick<CommandRunDetailView, "state" | "exitCode" | "durationMs" | "error" | "kind">): string {
  const took = r.durationMs != null ? ` after ${formatMs(r.durationMs)}` : "";
  switch (r.state) {
    case "running":
      return r.kind === "shell" ? "open" : "running";
    case "exited":
      return `exit status ${r.exitCode}${took}`;
    case "timeout":
      return `stopped at its time limit${took}`;
    case "cancelled":
      return `${r.error ?? "cancelled"}${took}`;
    case "interrupted":
      return r.error ?? "interrupted by a server stop";
    default:
      return r.error ?? r.state;
  }
}

const EFFECT_STATE: Record<string, string> = {
  none: "nothing to apply",
  pending: "waiting: apply it to the image or discard it",
  applied: "applied",
  discarded: "discarded",
  direct: "already in the image (ran without overlayfs)",
  lost: "lost with a server stop",
};

/** One run: live output while it runs, then its status, bounded output, effect, and apply / discard. */
export function RunView({ image, runId, jobId, canRun }: { image: string; runId: string; jobId?: string | null; canRun: boolean }) {
  const q = useCommandRun(image, runId);
  const commands = useCommandCommands(image);
  const jobs = useJobCommands();
  const run = q.data;
  const liveJob = jobId ?? run?.jobId ?? null;
  const live = useJob(run && run.state !== "running" ? null : liveJob);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const finishedLive = live.job && isTerminal(live.job.state);
  // The record is read again when the job ends (the room event may arrive first or not at all for a reader).
  // biome-ignore lint/correctness/useExhaustiveDependencies: once when the job ends, not on each new query object
  useEffect(() => {
    if (finishedLive) void q.refetch();
  }, [finishedLive]);

  const lines: OutputLine[] = useMemo(() => {
    // what the command printed; how it ended is in the status badge (the job page has the runner's notes)
    if (run && run.state !== "running" && run.output) return chunksToLines(run.output.chunks.filter((c) => c.stream !== "info"));
    return live.lines.filter((l) => l.stream !== "info").map((l) => ({ key: l.seq, stream: l.stream, text: l.line }));
  }, [run, live.lines]);

  if (q.error) return <div className="error">{(q.error as Error).message}</div>;
  if (!run) return <p className="muted">Loading…</p>;
  const running = run.state === "running";
  const act = async (what: "apply" | "discard" | "cancel") => {
    setBusy(what);
    setError(null);
    try {
      if (what === "cancel") await jobs.cancel(liveJob as string);
      else await (what === "apply" ? commands.apply : commands.discard)(run.id);
      await q.refetch();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="card" data-testid="run-view" data-run-id={run.id} data-state={run.state} style={{ marginBottom: 12 }}>
      <div className="toolbar">
        <code className="mono" data-testid="run-line">
          {run.kind === "shell" ? run.line : `$ ${run.line}`}
        </code>
        <span className={`badge run-${run.state}`} data-testid="run-status" data-state={run.state} data-exit={run.exitCode ?? ""}>
          {running && live.job?.state && isTerminal(live.job.state) ? "finishing…" : describeEnd(run)}
        </span>
        <span className="muted small">
          {run.username} · {formatTime(run.startedAt)} · {run.mode === "overlay" ? "overlay" : "directly in the tree"}
        </span>
        <span className="spacer" />
        {running && canRun && liveJob && run.kind === "command" && (
          <button type="button" onClick={() => void act("cancel")} disabled={busy !== null} data-testid="run-cancel">
            Cancel
          </button>
        )}
      </div>
      {run.kind === "command" && <CommandOutput lines={lines} cutBytes={run.output?.cutBytes} running={running} />}
      {run.kind === "shell" && !running && run.output && (
        <details data-testid="shell-transcript">
          <summary className="small">Transcript (what the terminal showed; cursor movements of full-screen programs left out)</summary>
          <CommandOutput
            lines={chunksToLines(
              run.output.chunks.map((c) => ({ stream: c.stream === "info" ? "info" : "stdout", text: c.text.replace(/\r(?!\n)/g, "\n") })),
            )}
            cutBytes={run.output.cutBytes}
            running={false}
          />
        </details>
      )}
      {!running && (
        <div style={{ marginTop: 10 }} data-testid="effect" data-effect-state={run.effectState}>
          <div className="toolbar">
            <h3 style={{ margin: 0 }}>Effect</h3>
            <span className="muted small" data-testid="effect-summary">
              {run.effectSummary}
            </span>
            <span className="badge" data-testid="effect-state">
              {EFFECT_STATE[run.effectState]}
              {run.effectState === "applied" && run.appliedBy ? ` by ${run.appliedBy} ${formatTime(run.appliedAt)}` : ""}
            </span>
            <span className="spacer" />
            {run.effectState === "pending" && canRun && (
              <>
                <button
                  type="button"
                  className="primary"
                  onClick={() => void act("apply")}
                  disabled={busy !== null}
                  data-testid="effect-apply"
                >
                  {busy === "apply" ? "Applying…" : "Apply to the image"}
                </button>
                <button type="button" onClick={() => void act("discard")} disabled={busy !== null} data-testid="effect-discard">
                  Discard
                </button>
              </>
            )}
          </div>
          {run.mode === "direct" && (
            <p className="muted small">
              This ran without overlayfs, straight in the tree: the list compares the tree before and after; it cannot be discarded and no
              original bytes were kept.
            </p>
          )}
          <EffectList image={image} effect={run.effect} />
        </div>
      )}
      {(error || live.error) && (
        <p className="error" data-testid="run-error">
          {error ?? live.error}
        </p>
      )}
    </div>
  );
}
