"use client";
import { useEffect, useMemo, useState } from "react";
import { type JobLogLineWire, type JobWire, room } from "@/lib/realtime/events";
import { useRoom } from "./use-room";

/** A job as it arrives over the wire (dates as ISO strings). */
export type JobView = JobWire;
export type LogLineView = JobLogLineWire;

const TERMINAL = new Set(["succeeded", "failed", "cancelled", "interrupted"]);
export const isTerminal = (state: string | undefined) => !!state && TERMINAL.has(state);

/**
 * Follows a job in its room: the replayed state and log, then the live tail. Log lines are keyed by seq, so
 * replays (after each reconnect) and live lines may overlap freely.
 */
export function useJob(jobId: string | null | undefined): { job: JobView | null; lines: LogLineView[]; error: string | null } {
  const [job, setJob] = useState<JobView | null>(null);
  const [byseq, setBySeq] = useState<Map<number, LogLineView>>(() => new Map());

  // biome-ignore lint/correctness/useExhaustiveDependencies: another job: forget the previous one's state
  useEffect(() => {
    setJob(null);
    setBySeq(new Map());
  }, [jobId]);

  const { error } = useRoom(jobId ? room.job(jobId) : null, {
    "job:update": (u) => {
      setJob((prev) => {
        // Never step back from a final state (a replayed snapshot can arrive after the live final update).
        if (prev && isTerminal(prev.state) && !isTerminal(u.state)) return prev;
        // A live progress delta before the joined snapshot has too few fields to show; the snapshot follows.
        if (!prev && u.type === undefined) return prev;
        return { ...(prev ?? ({} as JobView)), ...u };
      });
    },
    "job:log": (m) => {
      if (m.lines.length === 0) return;
      setBySeq((prev) => {
        const next = new Map(prev);
        for (const l of m.lines) next.set(l.seq, l);
        return next;
      });
    },
  });

  const lines = useMemo(() => [...byseq.values()].sort((a, b) => a.seq - b.seq), [byseq]);
  return { job, lines, error };
}
