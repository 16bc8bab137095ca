"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type {
  HistoryEntryDto,
  RequestCommentDto,
  RequestDetailDto,
  RequestSummaryDto,
  ReviewPolicyDto,
} from "@/lib/api/contracts/requests";
import { type RequestChangedEvent, room, type Wire } from "@/lib/realtime/events";
import { api, qs } from "../api-client";
import { useRoom } from "./use-room";

export type RequestSummaryView = Wire<RequestSummaryDto>;
export type RequestDetailView = Wire<RequestDetailDto>;
export type RequestCommentView = Wire<RequestCommentDto>;
export type HistoryEntryView = Wire<HistoryEntryDto>;
export type ReviewPolicyView = Wire<ReviewPolicyDto>;

const keys = {
  all: ["requests"] as const,
  list: (f: { image?: string; state?: string }) => [...keys.all, "list", f.image ?? null, f.state ?? null] as const,
  one: (id: number) => [...keys.all, "one", id] as const,
  // Not under `all`: a captured revision never changes, so request events must not refetch it.
  content: (id: number, revision: number, path: string) => ["request-content", id, revision, path] as const,
  inbox: () => [...keys.all, "inbox"] as const,
  policy: (image: string) => ["review-policy", image] as const,
  history: (image: string, f: { kind?: string; user?: string }) => ["image-history", image, f.kind ?? null, f.user ?? null] as const,
};

/** Follows the `requests` room: every change of a request refetches what shows requests (and `onEvent` sees it). */
export function useRequestsRoom(onEvent?: (e: RequestChangedEvent) => void) {
  const qc = useQueryClient();
  useRoom(
    room.requests(),
    {
      "requests:changed": (e) => {
        void qc.invalidateQueries({ queryKey: keys.all });
        void qc.invalidateQueries({ queryKey: ["image-history", e.image] });
        onEvent?.(e);
      },
    },
    { onJoined: () => void qc.invalidateQueries({ queryKey: keys.all }, { cancelRefetch: false }) },
  );
}

export function useRequests(filter: { image?: string; state?: string } = {}) {
  useRequestsRoom();
  return useQuery({ queryKey: keys.list(filter), queryFn: () => api<{ requests: RequestSummaryView[] }>(`/api/requests${qs(filter)}`) });
}

export function useRequest(id: number) {
  useRequestsRoom();
  return useQuery({ queryKey: keys.one(id), queryFn: () => api<RequestDetailView>(`/api/requests/${id}`) });
}

/** Both sides of a captured text change (they never change: cached for good). */
export function useRequestContent(id: number, revision: number, path: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.content(id, revision, path),
    queryFn: () => api<{ before: string; after: string }>(`/api/requests/${id}/content${qs({ path, revision })}`),
    enabled,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Request ids waiting for the signed-in user (the navigation's count). */
export function useRequestInbox() {
  return useQuery({ queryKey: keys.inbox(), queryFn: () => api<{ review: number[]; own: number[] }>("/api/requests/inbox") });
}

export function useReviewPolicy(image: string) {
  return useQuery({
    queryKey: keys.policy(image),
    queryFn: () => api<ReviewPolicyView>(`/api/images/${encodeURIComponent(image)}/review-policy`),
  });
}

export function useImageHistory(image: string, filter: { kind?: string; user?: string }) {
  useRequestsRoom();
  return useQuery({
    queryKey: keys.history(image, filter),
    queryFn: () =>
      api<{
        entries: HistoryEntryView[];
        users: string[];
        versions: { seq: number; live: boolean; packedAt: string; changeId: string | null }[];
      }>(`/api/images/${encodeURIComponent(image)}/history${qs(filter)}`),
  });
}

/** Commands on requests; each refreshes the request it changed (the room refreshes the others' views). */
export function useRequestCommands() {
  const qc = useQueryClient();
  const refresh = (id?: number) => void qc.invalidateQueries({ queryKey: id ? keys.one(id) : keys.all });
  return {
    create: async (body: { image: string; title: string; description: string; paths?: string[]; draft?: boolean }) => {
      const r = await api<{ id: number; state: string }>("/api/requests", { method: "POST", body });
      refresh();
      return r;
    },
    update: async (id: number, body: { paths?: string[]; title?: string; description?: string }) => {
      const r = await api<{ id: number; state: string; revision: number }>(`/api/requests/${id}`, { method: "PUT", body });
      refresh(id);
      return r;
    },
    transition: async (id: number, action: "submit" | "approve" | "request_changes" | "abandon", comment?: string) => {
      const r = await api<{ id: number; state: string }>(`/api/requests/${id}/transition`, {
        method: "POST",
        body: { action, ...(comment ? { comment } : {}) },
      });
      refresh(id);
      return r;
    },
    comment: async (id: number, body: { body: string; path?: string; line?: number; revision?: number }) => {
      const r = await api<RequestCommentView>(`/api/requests/${id}/comments`, { method: "POST", body });
      refresh(id);
      return r;
    },
    setPolicy: async (image: string, body: { packRequiresApproval: boolean; deployRequiresApproval: boolean }) => {
      const r = await api<ReviewPolicyView>(`/api/images/${encodeURIComponent(image)}/review-policy`, { method: "PUT", body });
      qc.setQueryData(keys.policy(image), r);
      return r;
    },
  };
}
