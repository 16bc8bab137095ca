"use client";
import { useState } from "react";
import { useCommandCommands } from "../hooks/use-commands";

export type BindOptions = { proc: boolean; sys: boolean; dev: boolean; network: boolean };

/** The isolation options shared by commands and shells (what xCAT's genimage mounts, and network access). */
export function BindChoices({ value, onChange, idPrefix }: { value: BindOptions; onChange: (v: BindOptions) => void; idPrefix: string }) {
  const box = (k: keyof BindOptions, label: string, title: string) => (
    <label className="small" title={title} style={{ marginRight: 10 }}>
      <input
        type="checkbox"
        checked={value[k]}
        onChange={(e) => onChange({ ...value, [k]: e.target.checked })}
        data-testid={`${idPrefix}-${k}`}
      />{" "}
      {label}
    </label>
  );
  return (
    <span>
      {box("proc", "/proc", "mount a /proc of the run's own PID namespace")}
      {box("sys", "/sys", "bind the host's /sys")}
      {box("dev", "/dev", "bind the host's /dev")}
      {box("network", "network", "share the host's network and its /etc/resolv.conf (off: no route out)")}
    </span>
  );
}

/** "Run in image": a command line, its limit and options. */
export function RunCommandForm({
  image,
  onStarted,
  disabled,
}: {
  image: string;
  onStarted: (runId: string, jobId: string, clickedAt: number) => void;
  disabled?: string;
}) {
  const commands = useCommandCommands(image);
  const [line, setLine] = useState("");
  const [minutes, setMinutes] = useState(10);
  const [binds, setBinds] = useState<BindOptions>({ proc: false, sys: false, dev: false, network: false });
  const [autoApply, setAutoApply] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const clickedAt = performance.now();
    setBusy(true);
    setError(null);
    try {
      const r = await commands.run({ line, timeoutMinutes: minutes, autoApply, ...binds });
      onStarted(r.runId, r.jobId, clickedAt);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="card"
      data-testid="run-form"
      style={{ marginBottom: 12 }}
      onSubmit={(e) => {
        e.preventDefault();
        if (line.trim()) void submit();
      }}
    >
      <div className="toolbar" style={{ marginBottom: 6 }}>
        <span className="mono muted">#</span>
        <input
          className="mono"
          style={{ flex: 1, minWidth: 240 }}
          value={line}
          onChange={(e) => setLine(e.target.value)}
          placeholder="a command line, run by the image's /bin/sh -c (e.g. chmod 700 /usr/local/bin/hello)"
          aria-label="Command line"
          data-testid="run-line-input"
          spellCheck={false}
        />
        <button type="submit" className="primary" disabled={busy || !line.trim() || !!disabled} data-testid="run-submit" title={disabled}>
          {busy ? "Starting…" : "Run in image"}
        </button>
      </div>
      <div className="small">
        <BindChoices value={binds} onChange={setBinds} idPrefix="run" />
        <label className="small" style={{ marginRight: 10 }}>
          time limit{" "}
          <input
            type="number"
            min={0.05}
            max={1440}
            step="any"
            value={minutes}
            onChange={(e) => setMinutes(Number(e.target.value) || 10)}
            style={{ width: 64 }}
            data-testid="run-timeout"
          />{" "}
          min
        </label>
        <label className="small" title="apply the effect as soon as the command exits with status 0 (for routine commands)">
          <input type="checkbox" checked={autoApply} onChange={(e) => setAutoApply(e.target.checked)} data-testid="run-auto-apply" /> apply
          automatically
        </label>
      </div>
      {error && (
        <p className="error" data-testid="run-form-error">
          {error}
        </p>
      )}
    </form>
  );
}
