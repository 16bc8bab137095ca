"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ImagePendingChangesDto } from "@/lib/api/contracts/changes";
import { room, type Wire } from "@/lib/realtime/events";
import { api, qs } from "../api-client";
import { useRoom } from "./use-room";

export type ImageChangesView = Wire<ImagePendingChangesDto>;

const keys = { all: ["changes"] as const, of: (image: string | null) => [...keys.all, image] as const };

/**
 * Pending changes of every unpacked image, or of one: the tree compared with its pristine state. Refetched
 * when the server announces a change to an image (an edit, a job's end, a rollback) and after each (re)join.
 */
export function useChanges(image?: string) {
  const qc = useQueryClient();
  useRoom(
    room.images(),
    {
      "images:changed": (e) => {
        if (image && e.image !== image) return;
        void qc.invalidateQueries({ queryKey: keys.of(image ?? null) });
      },
    },
    { onJoined: () => void qc.invalidateQueries({ queryKey: keys.of(image ?? null) }, { cancelRefetch: false }) },
  );
  return useQuery({ queryKey: keys.of(image ?? null), queryFn: () => api<{ images: ImageChangesView[] }>(`/api/changes${qs({ image })}`) });
}
