"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import type { AuditEntryDto } from "@/lib/api/contracts/audit";
import type { Wire } from "@/lib/realtime/events";
import { api, qs } from "../api-client";

export type AuditEntryView = Wire<AuditEntryDto>;
export type AuditFilter = { user?: string; image?: string; action?: string };
type Page = { entries: AuditEntryView[]; nextBefore: number | null };

const PAGE = 100;

/** The audit log, newest first, a page at a time (`fetchNextPage` for older entries). */
export function useAudit(filter: AuditFilter) {
  return useInfiniteQuery({
    queryKey: ["audit", filter],
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) => api<Page>(`/api/audit${qs({ ...filter, before: pageParam, limit: PAGE })}`),
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
}
