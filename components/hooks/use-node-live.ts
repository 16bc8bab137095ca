"use client";
import { useEffect, useRef, useState } from "react";
import type { DeployTargetView } from "@/lib/api/contracts/nodes";
import { useSocket } from "../socket-provider";

/**
 * All of the Nodes page's Socket.IO: a room is joined again after every reconnect, and each join replays the
 * stored state before the live tail (rooms `nodes:all`, `deploy:<job>`, `console:<host>`).
 */
// each event has its own payload type
type Handlers = Record<string, (data: any) => void>;

function useRoom(room: string | null, handlers: Handlers): string | null {
  const socket = useSocket();
  const [error, setError] = useState<string | null>(null);
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    if (!socket || !room) return;
    const join = () => socket.emit("join", room, (r: { ok: boolean; error?: string }) => setError(r.ok ? null : (r.error ?? "join failed")));
    const bound = Object.keys(ref.current).map((ev) => {
      const fn = (data: unknown) => ref.current[ev]?.(data);
      socket.on(ev, fn);
      return [ev, fn] as const;
    });
    socket.on("connect", join);
    if (socket.connected) join();
    return () => {
      for (const [ev, fn] of bound) socket.off(ev, fn);
      socket.off("connect", join);
      socket.emit("leave", room);
    };
  }, [socket, room]);
  return error;
}

/** Calls `onChange` whenever a test host's status changes (the page refetches its list). */
export function useTestHostStatus(onChange: (s: { name: string; status: string }) => void): void {
  useRoom("nodes:all", { "testhost:status": (s: { name: string; status: string }) => onChange(s) });
}

/** The nodes of a deploy job with their states and timestamps, live. */
export function useDeployTargets(jobId: string | null): { targets: DeployTargetView[]; error: string | null } {
  const [byNode, setByNode] = useState<Map<string, DeployTargetView>>(() => new Map());
  useEffect(() => setByNode(new Map()), [jobId]);
  const error = useRoom(jobId ? `deploy:${jobId}` : null, {
    "deploy:target": (t: DeployTargetView & { jobId: string }) => {
      if (t.jobId !== jobId) return;
      setByNode((prev) => {
        const old = prev.get(t.node);
        // a replayed row can arrive after a newer live one: keep the longer history
        if (old && old.history.length > t.history.length) return prev;
        return new Map(prev).set(t.node, t);
      });
    },
  });
  return { targets: [...byNode.values()], error };
}

/** A test host's serial console: `onReset` with the whole history (at join and at each power on), then `onData`. */
export function useConsoleStream(host: string | null, onReset: (data: string) => void, onData: (data: string) => void): string | null {
  return useRoom(host ? `console:${host}` : null, {
    "console:reset": (m: { name: string; data: string }) => m.name === host && onReset(m.data),
    "console:data": (m: { name: string; data: string }) => m.name === host && onData(m.data),
  });
}
