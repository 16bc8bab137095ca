"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { CommandRunDetailDto, CommandRunDto, RunOptions } from "@/lib/api/contracts/commands";
import { room } from "@/lib/realtime/events";
import { api } from "../api-client";
import { useRoom } from "../hooks/use-room";

/** Dates arrive as ISO strings. */
type Wire<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };
export type CommandRunView = Wire<CommandRunDto>;
export type CommandRunDetailView = Wire<Omit<CommandRunDetailDto, "effect">> & { effect: CommandRunDetailDto["effect"] };
export type CommandsView = { runs: CommandRunView[]; overlay: { usable: boolean; reason: string | null }; openShell: CommandRunView | null };

const base = (image: string) => `/api/images/${encodeURIComponent(image)}`;

/** The image's command history; refetched when a run ends or its effect is applied or discarded (room image:<name>). */
export function useCommands(image: string) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["commands", image], queryFn: () => api<CommandsView>(`${base(image)}/commands`) });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["commands", image] });
    void qc.invalidateQueries({ queryKey: ["command", image] });
  };
  // Refetch on every (re)join too: runs may have changed while the socket was away.
  useRoom(room.image(image), { "commands:changed": refresh }, { onJoined: refresh });
  return q;
}

export function useCommandRun(image: string, id: string | null) {
  return useQuery({
    queryKey: ["command", image, id],
    queryFn: () => api<CommandRunDetailView>(`${base(image)}/commands/${encodeURIComponent(id as string)}`),
    enabled: !!id,
  });
}

export const runCommand = (image: string, body: RunOptions & { line: string }) =>
  api<{ runId: string; jobId: string }>(`${base(image)}/commands`, { method: "POST", body });
export const applyRun = (image: string, id: string) => api<CommandRunDetailView>(`${base(image)}/commands/${encodeURIComponent(id)}/apply`, { method: "POST" });
export const discardRun = (image: string, id: string) => api<CommandRunDetailView>(`${base(image)}/commands/${encodeURIComponent(id)}/discard`, { method: "POST" });
export const openShell = (image: string, body: { proc: boolean; sys: boolean; dev: boolean; network: boolean; idleMinutes: number; cols: number; rows: number }) =>
  api<{ runId: string; jobId: string }>(`${base(image)}/shells`, { method: "POST", body });
export const cancelJob = (jobId: string) => api(`/api/jobs/${encodeURIComponent(jobId)}/cancel`, { method: "POST" });
