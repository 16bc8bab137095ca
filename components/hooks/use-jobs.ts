"use client";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { room } from "@/lib/realtime/events";
import { api, qs } from "../api-client";
import type { JobView } from "./use-job";
import { isTerminal } from "./use-job";
import { useRoom } from "./use-room";

const keys = {
  all: ["jobs"] as const,
  list: (filter: { state?: string; type?: string }) => [...keys.all, "list", filter] as const,
};

/** While a listed job runs, its progress column moves; the jobs room only announces starts and ends. */
const PROGRESS_REFRESH_MS = 2000;

/** Jobs, newest first, refetched when a job starts or ends (the `jobs` room) and after each (re)join. */
export function useJobs(filter: { state?: string; type?: string }) {
  const qc = useQueryClient();
  useRoom(
    room.jobs(),
    { "jobs:changed": () => void qc.invalidateQueries({ queryKey: keys.all }) },
    { onJoined: () => void qc.invalidateQueries({ queryKey: keys.all }, { cancelRefetch: false }) },
  );
  return useQuery({
    queryKey: keys.list(filter),
    queryFn: () => api<{ jobs: JobView[] }>(`/api/jobs${qs(filter)}`),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.jobs.some((j) => !isTerminal(j.state)) ? PROGRESS_REFRESH_MS : false),
  });
}

/** Job commands; a job's own state arrives through useJob. */
export function useJobCommands() {
  return {
    cancel: (id: string) => api(`/api/jobs/${encodeURIComponent(id)}/cancel`, { method: "POST" }),
    startBackup: () => api<{ jobId: string }>("/api/maintenance/backup", { method: "POST" }),
  };
}

/** The whole log of a job as JSON, for a link. */
export const jobLogUrl = (id: string, limit = 10_000) => `/api/jobs/${encodeURIComponent(id)}/log${qs({ limit })}`;
