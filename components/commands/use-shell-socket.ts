"use client";
import { useEffect, useRef, useState } from "react";
import { useSocket } from "../socket-provider";

export type ShellExit = { note: string; effectState?: string; effectSummary?: string };

/**
 * The socket side of a shell: joins `shell:<id>` (again after every reconnect; the server then replays the
 * recent output, so `onOutput(data, true)` means "clear and redraw"), passes live output on, and sends
 * keystrokes and sizes as room messages.
 */
export function useShellSocket(id: string | null, onOutput: (data: string, replay: boolean) => void) {
  const socket = useSocket();
  const [exit, setExit] = useState<ShellExit | null>(null);
  const [error, setError] = useState<string | null>(null);
  const out = useRef(onOutput);
  out.current = onOutput;
  useEffect(() => {
    setExit(null);
    if (!socket || !id) return;
    const room = `shell:${id}`;
    const join = () => socket.emit("join", room, (r: { ok: boolean; error?: string }) => setError(r.ok ? null : (r.error ?? "join failed")));
    const onData = (m: { id: string; data: string; replay?: boolean }) => m.id === id && out.current(m.data, !!m.replay);
    const onExit = (m: { id: string } & ShellExit) => m.id === id && setExit(m);
    socket.on("shell:output", onData);
    socket.on("shell:exit", onExit);
    socket.on("connect", join);
    if (socket.connected) join();
    return () => {
      socket.off("shell:output", onData);
      socket.off("shell:exit", onExit);
      socket.off("connect", join);
      socket.emit("leave", room);
    };
  }, [socket, id]);
  return {
    exit,
    error,
    send: (data: string) => id && socket?.emit("room:send", `shell:${id}`, "input", data),
    resize: (cols: number, rows: number) => id && socket?.emit("room:send", `shell:${id}`, "resize", { cols, rows }),
  };
}
