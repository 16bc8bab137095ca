"use client";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { roleAtLeast, useCurrentUser } from "../current-user";
import { formatTime } from "../format";
import { type CommandRunView, useCommands } from "../hooks/use-commands";
import { useJobCommands } from "../hooks/use-jobs";
import { RunCommandForm } from "./run-command-form";
import { describeEnd, RunView } from "./run-view";
import { ShellPanel } from "./shell-panel";

/**
 * Commands in an image: run a command line or open a shell in an isolated chroot, watch the output, review
 * the effect and apply or discard it; below, every command and shell session run in the image.
 * Viewers and reviewers see the history only (the API refuses them the rest).
 */
export function CommandsPage({ image }: { image: string }) {
  const user = useCurrentUser();
  const canRun = roleAtLeast(user, "editor") && user.role !== "reviewer";
  const router = useRouter();
  const search = useSearchParams();
  const q = useCommands(image);
  const [selected, setSelected] = useState<{ runId: string; jobId?: string } | null>(() =>
    search.get("run") ? { runId: search.get("run") as string } : null,
  );
  const select = useCallback(
    (runId: string, jobId?: string) => {
      setSelected({ runId, jobId });
      router.replace(`/images/${encodeURIComponent(image)}/commands?run=${encodeURIComponent(runId)}`, { scroll: false });
    },
    [image, router],
  );
  // Show the newest running command after a reload (its output keeps streaming).
  const runningCommand = q.data?.runs.find((r) => r.kind === "command" && r.state === "running");
  useEffect(() => {
    if (!selected && runningCommand) setSelected({ runId: runningCommand.id, jobId: runningCommand.jobId ?? undefined });
  }, [selected, runningCommand]);

  const d = q.data;
  const busy = d?.runs.find((r) => r.state === "running");
  return (
    <section data-testid="commands-page" data-image={image}>
      <div className="toolbar">
        <h1>Commands in {image}</h1>
        {d && (
          <span className="badge" data-testid="commands-mode">
            {d.overlay.usable ? "overlay: effects reviewed before they land" : "no overlay: runs go straight into the tree"}
          </span>
        )}
        <span className="spacer" />
        <Link href={`/images/${encodeURIComponent(image)}`}>image</Link>
        <Link href={`/images/${encodeURIComponent(image)}/files`}>files</Link>
        <Link href={`/changes?image=${encodeURIComponent(image)}`}>changes</Link>
      </div>
      {q.error && <p className="error">{(q.error as Error).message}</p>}
      {d && !d.overlay.usable && (
        <p className="error" data-testid="commands-no-overlay">
          {d.overlay.reason}. Commands and shells run directly in the image tree; what they changed is found by comparing the tree before
          and after, is in the image at once and cannot be discarded.
        </p>
      )}
      <p className="muted small">
        A command runs as the image&apos;s own <code>/bin/sh -c</code> in a chroot with private mount, PID, IPC and UTS namespaces and no
        network unless asked for. While a command or shell runs, it holds the image: saves and uploads of its files are refused (with who
        runs what), and pack and unpack wait for it to end.
      </p>
      {canRun && (
        <RunCommandForm
          image={image}
          onStarted={(runId, jobId) => select(runId, jobId)}
          disabled={busy ? `${busy.kind === "shell" ? "a shell" : "a command"} of ${busy.username} is running in this image` : undefined}
        />
      )}
      {selected && <RunView key={selected.runId} image={image} runId={selected.runId} jobId={selected.jobId} canRun={canRun} />}
      {d && <ShellPanel image={image} openRun={d.openShell} canRun={canRun} onEnded={(id) => select(id)} />}
      <h2>History</h2>
      <CommandHistory
        runs={d?.runs ?? []}
        selected={selected?.runId}
        onSelect={(r) => select(r.id, r.jobId ?? undefined)}
        isAdmin={user.role === "admin"}
      />
    </section>
  );
}

function CommandHistory({
  runs,
  selected,
  onSelect,
  isAdmin,
}: {
  runs: CommandRunView[];
  selected?: string;
  onSelect: (r: CommandRunView) => void;
  isAdmin: boolean;
}) {
  const jobs = useJobCommands();
  if (runs.length === 0)
    return (
      <p className="muted" data-testid="commands-none">
        No command has been run in this image.
      </p>
    );
  return (
    <table className="table" data-testid="commands-history">
      <thead>
        <tr>
          <th>When</th>
          <th>Who</th>
          <th>Command</th>
          <th>Ended</th>
          <th>Effect</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr
            key={r.id}
            data-testid="command-row"
            data-run-id={r.id}
            data-kind={r.kind}
            data-state={r.state}
            data-effect-state={r.effectState}
            style={r.id === selected ? { background: "#eef4ff" } : undefined}
          >
            <td className="nowrap">{formatTime(r.startedAt)}</td>
            <td>{r.username}</td>
            <td className="mono">
              <button type="button" className="link" onClick={() => onSelect(r)} data-testid="command-open">
                {r.kind === "shell" ? "shell session" : r.line}
              </button>
            </td>
            <td>{describeEnd(r)}</td>
            <td>
              {r.effectSummary}
              {r.effectState !== "none" && r.state !== "running" ? ` · ${r.effectState}${r.appliedBy ? ` by ${r.appliedBy}` : ""}` : ""}
            </td>
            <td>
              {r.state === "running" && r.kind === "shell" && isAdmin && r.jobId && (
                <button type="button" onClick={() => void jobs.cancel(r.jobId as string)} data-testid="command-end">
                  End
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
