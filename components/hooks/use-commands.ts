"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import type { CommandRunDetailDto, CommandRunDto, RunOptions } from "@/lib/api/contracts/commands";
import { room } from "@/lib/realtime/events";
import { api } from "../api-client";
import { useRoom } from "./use-room";

/** Dates arrive as ISO strings. */
type Wire<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };
export type CommandRunView = Wire<CommandRunDto>;
export type CommandRunDetailView = Wire<Omit<CommandRunDetailDto, "effect">> & { effect: CommandRunDetailDto["effect"] };
export type CommandsView = {
  runs: CommandRunView[];
  overlay: { usable: boolean; reason: string | null };
  openShell: CommandRunView | null;
};
export type ShellOptions = { proc: boolean; sys: boolean; dev: boolean; network: boolean; idleMinutes: number; cols: number; rows: number };

/** Query keys of the command resources; only this module writes them. */
const keys = {
  list: (image: string) => ["commands", image] as const,
  run: (image: string, id: string | null) => ["command", image, id] as const,
  runs: (image: string) => ["command", image] as const,
};

const url = (image: string, tail = "") => `/api/images/${encodeURIComponent(image)}${tail}`;

/** Marks an image's command list and runs stale (a run started or ended, an effect applied or discarded). */
function useRefreshCommands(image: string): () => void {
  const qc = useQueryClient();
  return useCallback(() => {
    void qc.invalidateQueries({ queryKey: keys.list(image) });
    void qc.invalidateQueries({ queryKey: keys.runs(image) });
  }, [qc, image]);
}

/** The image's command history; refetched when a run ends or its effect is applied or discarded (room image:<name>). */
export function useCommands(image: string) {
  const refresh = useRefreshCommands(image);
  const q = useQuery({ queryKey: keys.list(image), queryFn: () => api<CommandsView>(url(image, "/commands")) });
  // Refetch on every (re)join too: runs may have changed while the socket was away.
  useRoom(room.image(image), { "commands:changed": refresh }, { onJoined: refresh });
  return q;
}

/** One run with its bounded output and effect. */
export function useCommandRun(image: string, id: string | null) {
  return useQuery({
    queryKey: keys.run(image, id),
    queryFn: () => api<CommandRunDetailView>(url(image, `/commands/${encodeURIComponent(id as string)}`)),
    enabled: !!id,
  });
}

/**
 * The command and shell commands of an image; each marks the command list and runs stale when it answered.
 * A run or shell is ended by cancelling its job (useJobCommands).
 */
export function useCommandCommands(image: string) {
  const refresh = useRefreshCommands(image);
  const refreshing = async <T>(p: Promise<T>): Promise<T> => {
    const r = await p;
    refresh();
    return r;
  };
  return {
    run: (body: RunOptions & { line: string }) =>
      refreshing(api<{ runId: string; jobId: string }>(url(image, "/commands"), { method: "POST", body })),
    apply: (id: string) =>
      refreshing(api<CommandRunDetailView>(url(image, `/commands/${encodeURIComponent(id)}/apply`), { method: "POST" })),
    discard: (id: string) =>
      refreshing(api<CommandRunDetailView>(url(image, `/commands/${encodeURIComponent(id)}/discard`), { method: "POST" })),
    openShell: (body: ShellOptions) => refreshing(api<{ runId: string; jobId: string }>(url(image, "/shells"), { method: "POST", body })),
    /** after something this module does not see (a shell's exit on its socket) */
    refresh,
  };
}
