"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ChangeDiffDto, VersionCompareDto } from "@/lib/api/contracts/review";
import { room, type Wire } from "@/lib/realtime/events";
import { api, qs } from "../api-client";
import { useRoom } from "./use-room";

export type ChangeDiffView = Wire<ChangeDiffDto>;
export type VersionCompareView = Wire<VersionCompareDto>;
export type VersionFileView = { path: string; content: ChangeDiffView["content"] };

const keys = {
  all: ["review"] as const,
  diffs: (image: string) => [...keys.all, "diff", image] as const,
  diff: (image: string, path: string) => [...keys.diffs(image), path] as const,
  compare: (image: string, from: number, to: number) => [...keys.all, "compare", image, from, to] as const,
  compareFile: (image: string, from: number, to: number, path: string) => [...keys.compare(image, from, to), path] as const,
};
const base = (image: string) => `/api/images/${encodeURIComponent(image)}`;

/**
 * The diff of one pending change. Refetched when a file change of the image touches the path (a save, a
 * command's apply, a revert) and after each (re)join of the image's room.
 */
export function useChangeDiff(image: string, path: string) {
  const qc = useQueryClient();
  useRoom(
    room.image(image),
    {
      "files:changed": (e) => {
        if (e.paths.includes(path) || e.kind === "command" || e.kind === "revert")
          void qc.invalidateQueries({ queryKey: keys.diff(image, path) });
      },
    },
    { onJoined: () => void qc.invalidateQueries({ queryKey: keys.diff(image, path) }, { cancelRefetch: false }) },
  );
  return useQuery({
    queryKey: keys.diff(image, path),
    queryFn: () => api<ChangeDiffView>(`${base(image)}/changes/diff${qs({ path })}`),
    retry: false,
  });
}

/** Revert one path, or every pending change, of an image; the Changes list and open diffs refresh by the room events. */
export function useRevert(image: string) {
  const qc = useQueryClient();
  const done = () => {
    void qc.invalidateQueries({ queryKey: ["changes"] });
    void qc.invalidateQueries({ queryKey: keys.diffs(image) });
  };
  return {
    one: useMutation({
      mutationFn: (path: string) =>
        api<{ path: string; action: string }>(`${base(image)}/changes/revert`, { method: "POST", body: { path } }),
      onSuccess: done,
    }),
    all: useMutation({
      mutationFn: () =>
        api<{ reverted: { path: string; action: string }[] }>(`${base(image)}/changes/revert-all`, {
          method: "POST",
          body: { confirm: true },
        }),
      onSuccess: done,
    }),
  };
}

/** Two kept versions compared (kept archives never change, so the answer is cached for the session). */
export function useVersionCompare(image: string, from: number | undefined, to: number | undefined) {
  return useQuery({
    queryKey: keys.compare(image, from ?? 0, to ?? 0),
    queryFn: () => api<VersionCompareView>(`${base(image)}/versions/compare${qs({ from, to })}`),
    enabled: from !== undefined && to !== undefined && from !== to,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}

export function useVersionCompareFile(image: string, from: number, to: number, path: string | undefined) {
  return useQuery({
    queryKey: keys.compareFile(image, from, to, path ?? ""),
    queryFn: () => api<VersionFileView>(`${base(image)}/versions/compare/file${qs({ from, to, path })}`),
    enabled: path !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}
