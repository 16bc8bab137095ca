"use client";
import { useState } from "react";
import { type CommandRunView, useCommandCommands } from "../hooks/use-commands";
import { useJobCommands } from "../hooks/use-jobs";
import { BindChoices, type BindOptions } from "./run-command-form";
import { ShellTerminal } from "./shell-terminal";

/** The interactive shell: open one, or find the one already open (after a reload) and reattach to it. */
export function ShellPanel({
  image,
  openRun,
  canRun,
  onEnded,
}: {
  image: string;
  openRun: CommandRunView | null;
  canRun: boolean;
  onEnded: (runId: string) => void;
}) {
  const commands = useCommandCommands(image);
  const jobs = useJobCommands();
  const [binds, setBinds] = useState<BindOptions>({ proc: true, sys: false, dev: true, network: false });
  const [idle, setIdle] = useState(30);
  const [started, setStarted] = useState<{ runId: string; jobId: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const current = started ?? (openRun ? { runId: openRun.id, jobId: openRun.jobId ?? "" } : null);
  const open = async () => {
    setBusy(true);
    setError(null);
    try {
      setStarted(await commands.openShell({ ...binds, idleMinutes: idle, cols: 100, rows: 30 }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const end = async () => {
    if (!current?.jobId) return;
    try {
      await jobs.cancel(current.jobId);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (!canRun) return null;
  return (
    <section className="card" data-testid="shell-panel" style={{ marginBottom: 12 }}>
      <div className="toolbar">
        <h2 style={{ margin: 0 }}>Shell</h2>
        {current ? (
          <>
            <span className="badge" data-testid="shell-status">
              open · type exit to end it and review its effect
            </span>
            <span className="muted small">copy: Ctrl+Shift+C · paste: Ctrl+Shift+V</span>
            <span className="spacer" />
            <button type="button" onClick={() => void end()} data-testid="shell-end">
              End shell
            </button>
          </>
        ) : (
          <>
            <BindChoices value={binds} onChange={setBinds} idPrefix="shell" />
            <label className="small">
              idle limit{" "}
              <input
                type="number"
                min={1}
                max={1440}
                value={idle}
                onChange={(e) => setIdle(Number(e.target.value) || 30)}
                style={{ width: 56 }}
              />{" "}
              min
            </label>
            <span className="spacer" />
            <button type="button" className="primary" onClick={() => void open()} disabled={busy} data-testid="shell-open">
              {busy ? "Opening…" : "Open shell"}
            </button>
          </>
        )}
      </div>
      {error && (
        <p className="error" data-testid="shell-error">
          {error}
        </p>
      )}
      {current && (
        <ShellTerminal
          key={current.runId}
          id={current.runId}
          onExit={() => {
            setStarted(null);
            commands.refresh();
            onEnded(current.runId);
          }}
        />
      )}
    </section>
  );
}
