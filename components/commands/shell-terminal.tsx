"use client";
import "@xterm/xterm/css/xterm.css";
import type { FitAddon } from "@xterm/addon-fit";
import type { Terminal } from "@xterm/xterm";
import { useEffect, useRef } from "react";
import { useShellSocket } from "./use-shell-socket";

/**
 * The browser end of an image shell: xterm.js (bundled, no CDN) fitted to its box. Typing, pasting and
 * resizing go to the server's pseudo-terminal (copy with Ctrl+Shift+C, paste with Ctrl+Shift+V or the menu); a reload or a reconnect redraws the recent output.
 */
export function ShellTerminal({ id, onExit, readOnly }: { id: string; onExit: () => void; readOnly?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const fit = useRef<FitAddon | null>(null);
  const pending = useRef<string[]>([]);
  const shell = useShellSocket(id, (data, replay) => {
    if (!term.current) {
      if (replay) pending.current = [];
      pending.current.push(data);
      return;
    }
    if (replay) term.current.reset();
    term.current.write(data);
  });
  const send = useRef(shell.send);
  send.current = shell.send;
  const resize = useRef(shell.resize);
  resize.current = shell.resize;

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void (async () => {
      const [{ Terminal }, { FitAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]);
      if (disposed || !box.current) return;
      const t = new Terminal({
        cursorBlink: true,
        fontSize: 13,
        fontFamily: "ui-monospace, Menlo, Consolas, monospace",
        scrollback: 5000,
        disableStdin: !!readOnly,
        theme: { background: "#10141c" },
      });
      const f = new FitAddon();
      t.loadAddon(f);
      t.open(box.current);
      f.fit();
      term.current = t;
      fit.current = f;
      for (const d of pending.current) t.write(d);
      pending.current = [];
      // Ctrl+C and Ctrl+V belong to the programs in the terminal (interrupt, vi's literal next): as in the
      // terminals of Linux desktops, Ctrl+Shift+C copies the selection and Ctrl+Shift+V pastes. The copy goes
      // through the browser's copy event, which xterm fills with the selection (no clipboard permission needed);
      // the paste is the browser's own, whose event xterm passes to the shell.
      t.attachCustomKeyEventHandler((e) => {
        if (e.type !== "keydown" || !e.ctrlKey || !e.shiftKey || e.altKey || e.metaKey) return true;
        const key = e.key.toLowerCase();
        if (key === "c") {
          e.preventDefault();
          if (t.hasSelection()) document.execCommand("copy");
          return false;
        }
        return key !== "v";
      });
      t.onData((d) => send.current(d));
      t.onResize(({ cols, rows }) => resize.current(cols, rows));
      resize.current(t.cols, t.rows);
      observer = new ResizeObserver(() => f.fit());
      observer.observe(box.current);
      t.focus();
    })();
    return () => {
      disposed = true;
      observer?.disconnect();
      term.current?.dispose();
      term.current = null;
    };
  }, [readOnly]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: once when the shell exits, not on each new callback from the parent
  useEffect(() => {
    if (shell.exit) onExit();
  }, [shell.exit]);

  return (
    <div>
      {shell.error && <p className="error">{shell.error}</p>}
      <div
        ref={box}
        data-testid="shell-terminal"
        data-shell-id={id}
        style={{ height: "55vh", background: "#10141c", padding: 4, borderRadius: 6 }}
      />
    </div>
  );
}
