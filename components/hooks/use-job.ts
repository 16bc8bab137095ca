"use client";
import { useEffect, useMemo, useState } from "react";
import type { JobDto, JobLogLine } from "@/lib/api/contracts/jobs";
import { useSocket } from "../socket-provider";

/** A job as it arrives over the wire (dates as ISO strings). */
export type JobView = Omit<JobDto, "createdAt" | "startedAt" | "finishedAt"> & {
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};
export type LogLineView = Omit<JobLogLine, "at"> & { at: string };

const TERMINAL = new Set(["succeeded", "failed", "cancelled", "interrupted"]);
export const isTerminal = (state: string | undefined) => !!state && TERMINAL.has(state);

/**
 * Follows a job over Socket.IO: joins `job:<id>` (again after every reconnect), takes the replayed state
 * and log, then the live tail. Log lines are keyed by seq, so replays and live lines may overlap freely.
 */
export function useJob(jobId: string | null | undefined): { job: JobView | null; lines: LogLineView[]; error: string | null } {
  const socket = useSocket();
  const [job, setJob] = useState<JobView | null>(null);
  const [byseq, setBySeq] = useState<Map<number, LogLineView>>(() => new Map());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setJob(null);
    setBySeq(new Map());
    if (!socket || !jobId) return;
    const room = `job:${jobId}`;
    const join = () =>
      socket.emit("join", room, (r: { ok: boolean; error?: string }) => setError(r.ok ? null : (r.error ?? "join failed")));
    const onUpdate = (u: Partial<JobView> & { id: string }) => {
      if (u.id !== jobId) return;
      setJob((prev) => {
        // Never step back from a final state (a replayed snapshot can arrive after the live final update).
        if (prev && isTerminal(prev.state) && !isTerminal(u.state)) return prev;
        // A live progress delta before the joined snapshot has too few fields to show; the snapshot follows.
        if (!prev && u.type === undefined) return prev;
        return { ...(prev ?? ({} as JobView)), ...u };
      });
    };
    const onLog = (m: { id: string; lines: LogLineView[] }) => {
      if (m.id !== jobId || m.lines.length === 0) return;
      setBySeq((prev) => {
        const next = new Map(prev);
        for (const l of m.lines) next.set(l.seq, l);
        return next;
      });
    };
    socket.on("job:update", onUpdate);
    socket.on("job:log", onLog);
    socket.on("connect", join);
    if (socket.connected) join();
    return () => {
      socket.off("job:update", onUpdate);
      socket.off("job:log", onLog);
      socket.off("connect", join);
      socket.emit("leave", room);
    };
  }, [socket, jobId]);

  const lines = useMemo(() => [...byseq.values()].sort((a, b) => a.seq - b.seq), [byseq]);
  return { job, lines, error };
}
