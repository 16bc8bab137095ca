"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import type { ImageDetailDto, ImageSummaryDto, ImageVersionDto } from "@/lib/api/contracts/images";
import { room } from "@/lib/realtime/events";
import { api, qs } from "../api-client";
import { afterImageJob } from "../images/after-image-job";
import { useRoom } from "./use-room";

type ImagesList = { backend: "xcat" | "local"; images: ImageSummaryDto[] };
type Started = { jobId?: string; workspace?: string };

/** Query keys of the image resources; only this module writes them. */
const keys = {
  all: ["images"] as const,
  list: () => [...keys.all, "list"] as const,
  detail: (name: string) => [...keys.all, "detail", name] as const,
  settings: () => ["image-settings"] as const,
};

const url = (name: string, tail = "") => `/api/images/${encodeURIComponent(name)}${tail}`;

/**
 * Refetches the image queries when the server announces a change (a job on an image started or ended, a
 * file edit, an adopt, a rollback, a delete) and after each (re)join, which covers what a dropped socket missed.
 */
function useImagesRoom(): void {
  const qc = useQueryClient();
  useRoom(
    room.images(),
    {
      "images:changed": (e) => {
        void qc.invalidateQueries({ queryKey: keys.list() });
        void qc.invalidateQueries({ queryKey: keys.detail(e.image) });
      },
    },
    { onJoined: () => void qc.invalidateQueries({ queryKey: keys.all }, { cancelRefetch: false }) },
  );
}

/**
 * What changes outside the product announces nothing: an osimage defined or a packimage run by hand on the
 * management node (xCAT's lock column). The list rereads that this often, and when the tab regains focus.
 */
const OUTSIDE_CHANGES_MS = 60_000;

/** Every osimage with its archive, workspace, lock and last job. */
export function useImages() {
  useImagesRoom();
  return useQuery({ queryKey: keys.list(), queryFn: () => api<ImagesList>("/api/images"), refetchInterval: OUTSIDE_CHANGES_MS });
}

/** One osimage: attributes, files in rootimgdir, versions (nothing while `name` is empty). */
export function useImage(name: string) {
  useImagesRoom();
  return useQuery({ queryKey: keys.detail(name), queryFn: () => api<ImageDetailDto>(url(name)), enabled: name !== "" });
}

/**
 * A pack or unpack of the image that ended left the workspace unpacked and released its lock before the job's
 * last update went out: shows that with the job's final state, not "packing"/"locked" until the refetch
 * answers (the refetch then corrects anything else that changed).
 */
export function useImageJobSettled(name: string) {
  const qc = useQueryClient();
  return useCallback(
    (job: { type: string; state: string }) => {
      qc.setQueryData<ImageDetailDto>(keys.detail(name), (cur) => cur && afterImageJob(cur, job));
    },
    [qc, name],
  );
}

/** The published archives of an image, newest first (part of the image's detail). */
export function useVersions(name: string) {
  useImagesRoom();
  return useQuery({
    queryKey: keys.detail(name),
    queryFn: () => api<ImageDetailDto>(url(name)),
    select: (d): ImageVersionDto[] => d.versions,
  });
}

/** How many archive versions are kept per image. */
export function useImageSettings() {
  return useQuery({ queryKey: keys.settings(), queryFn: () => api<{ retention: number }>("/api/image-settings") });
}

/**
 * The image commands. Long ones return a job id to follow with useJob; the lists refresh through the images
 * room, and the commands that answer at once refresh the queries they changed themselves.
 */
export function useImageCommands() {
  const qc = useQueryClient();
  const refresh = (name?: string) => void qc.invalidateQueries({ queryKey: name ? keys.detail(name) : keys.all });
  return {
    /** `mode` "unpack" answers 409 with `details.treeExists` when a tree is already there */
    unpack: async (name: string, body: { mode: "unpack" | "use-existing" | "replace"; confirmReplace?: boolean }) => {
      const r = await api<Started>(url(name, "/unpack"), { method: "POST", body });
      refresh(name);
      return r;
    },
    /** `request`: the approved change request the pack publishes; refusals carry `details.reason` (e.g. "unapproved-changes" with `details.extra`) */
    pack: (name: string, body: { method: "own" | "xcat"; full?: boolean; request?: number }) =>
      api<Started>(url(name, "/pack"), { method: "POST", body }),
    rollback: async (name: string, seq: number) => {
      const r = await api<ImageVersionDto>(url(name, "/rollback"), { method: "POST", body: { seq } });
      refresh(name);
      return r;
    },
    exportBundle: (name: string) => api<Started>(url(name, "/export"), { method: "POST", body: {} }),
    exportDownloadUrl: (name: string) => url(name, "/export"),
    remove: async (name: string) => {
      const r = await api<{ deleted: string }>(url(name, `${qs({ confirm: "yes" })}`), { method: "DELETE" });
      qc.removeQueries({ queryKey: keys.detail(name) });
      refresh();
      return r;
    },
    importFromPath: (body: { path: string; profile?: string }) => api<Started>("/api/images/import", { method: "POST", body }),
    importUpload: (file: File, profile?: string) =>
      api<Started>(`/api/images/upload${qs({ profile })}`, { method: "PUT", raw: file, headers: { "content-type": "application/gzip" } }),
    setRetention: async (retention: number) => {
      const r = await api<{ retention: number }>("/api/image-settings", { method: "PUT", body: { retention } });
      qc.setQueryData(keys.settings(), r);
      return r;
    },
  };
}
