"use client";
import "@xterm/xterm/css/xterm.css";
import type { FitAddon } from "@xterm/addon-fit";
import type { Terminal } from "@xterm/xterm";
import { useEffect, useRef, useState } from "react";
import { useConsoleStream } from "../hooks/use-node-live";
import { consoleTextUrl } from "../hooks/use-nodes";

/**
 * A test host's serial console in xterm.js (bundled, no CDN): the whole history since power on at first, then
 * live; it stays after the machine stops. Read-only: the product shows what the node printed.
 */
export function TestHostConsole({ host, onClose }: { host: string; onClose: () => void }) {
  const box = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  // chunks that arrive before xterm has loaded are written once it is there
  const pending = useRef<{ reset?: string; data: string[] }>({ data: [] });
  const [ready, setReady] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a fresh terminal for each host
  useEffect(() => {
    let disposed = false;
    let fitAddon: FitAddon | undefined;
    let t: Terminal | undefined;
    const onResize = () => fitAddon?.fit();
    void (async () => {
      const [{ Terminal }, { FitAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]);
      if (disposed || !box.current) return;
      t = new Terminal({
        convertEol: true,
        disableStdin: true,
        scrollback: 20000,
        fontSize: 12.5,
        rows: 30,
        theme: { background: "#10141c" },
      });
      fitAddon = new FitAddon();
      t.loadAddon(fitAddon);
      t.open(box.current);
      fitAddon.fit();
      term.current = t;
      const p = pending.current;
      if (p.reset !== undefined) t.write(p.reset);
      for (const d of p.data) t.write(d);
      pending.current = { data: [] };
      window.addEventListener("resize", onResize);
      setReady(true);
    })();
    return () => {
      disposed = true;
      window.removeEventListener("resize", onResize);
      t?.dispose();
      term.current = null;
    };
  }, [host]);

  const error = useConsoleStream(
    host,
    (data) => {
      if (term.current) {
        term.current.reset();
        term.current.write(data);
      } else pending.current = { reset: data, data: [] };
    },
    (data) => {
      if (term.current) term.current.write(data);
      else pending.current.data.push(data);
    },
  );

  return (
    <div className="card" style={{ marginTop: 12 }} data-testid="console-panel" data-host={host}>
      <div className="toolbar">
        <h2 style={{ margin: 0 }}>Console of {host}</h2>
        <span className="muted small">{ready ? "serial console (ttyS0), since the last power on" : "loading…"}</span>
        <span className="spacer" />
        <a className="small" href={consoleTextUrl(host)} target="_blank" rel="noreferrer">
          as text
        </a>
        <button type="button" className="small" onClick={onClose}>
          Close
        </button>
      </div>
      {error && <div className="error">{error}</div>}
      <div ref={box} data-testid="console" style={{ height: 420, background: "#10141c", padding: 4, borderRadius: 6 }} />
    </div>
  );
}
