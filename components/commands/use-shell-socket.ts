"use client";
import { useState } from "react";
import { room } from "@/lib/realtime/events";
import { useRoom } from "../hooks/use-room";
import { useSocket } from "../socket-provider";

export type ShellExit = { note: string; effectState?: string; effectSummary?: string };

/**
 * The socket side of a shell: joins `shell:<id>` (again after every reconnect; the server then replays the
 * recent output, so `onOutput(data, true)` means "clear and redraw"), passes live output on, and sends
 * keystrokes and sizes as room messages.
 */
export function useShellSocket(id: string | null, onOutput: (data: string, replay: boolean) => void) {
  const socket = useSocket();
  const [exit, setExit] = useState<{ id: string; value: ShellExit } | null>(null);
  const target = id ? room.shell(id) : null;
  const { error } = useRoom(target, {
    "shell:output": (m) => m.id === id && onOutput(m.data, !!m.replay),
    "shell:exit": (m) =>
      m.id === id && setExit({ id: m.id, value: { note: m.note, effectState: m.effectState, effectSummary: m.effectSummary } }),
  });
  return {
    exit: exit && exit.id === id ? exit.value : null,
    error,
    send: (data: string) => target && socket?.emit("room:send", target, "input", data),
    resize: (cols: number, rows: number) => target && socket?.emit("room:send", target, "resize", { cols, rows }),
  };
}
