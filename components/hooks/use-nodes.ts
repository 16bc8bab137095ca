"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import type { DeployPlanView, TestHostView, XcatNodeView } from "@/lib/api/contracts/nodes";
import { api } from "../api-client";
import { useTestHostStatus } from "./use-node-live";

export type NodesData = {
  backend: "xcat" | "local";
  testHosts: (TestHostView & { deployingJob: string | null })[];
  xcat: { nodes: XcatNodeView[]; groups: string[]; error: string | null } | null;
  settings: { maxNodes: number; xcatBootTimeoutSec: number };
};
export type PowerResults = { command: string; results: { node: string; ok: boolean; text?: string; error?: string }[] };
export type TestHostInput = { name: string; image: string; memoryMb: number; kcmdline: string; nic: string | null; bootTimeoutSec: number };
export type DeployRequest = {
  image: string;
  versionSeq?: number;
  testHosts: string[];
  nodes: string[];
  group?: string;
  power: "boot" | "reset" | "on" | "ssh-reboot";
};

/** Query keys of the node resources; only this module writes them. */
const keys = { nodes: ["nodes"] as const };

/**
 * xCAT's node status (rpower, nodeset by hand) announces nothing: the list rereads that this often. Test hosts
 * announce each status change in the nodes room.
 */
const XCAT_STATUS_MS = 10_000;

function useRefreshNodes(): () => void {
  const qc = useQueryClient();
  return useCallback(() => void qc.invalidateQueries({ queryKey: keys.nodes }), [qc]);
}

/** Test hosts, xCAT's nodes and groups (xCAT backend) and the deploy settings; refetched on each test host status change. */
export function useNodes() {
  const refresh = useRefreshNodes();
  useTestHostStatus(refresh);
  return useQuery({ queryKey: keys.nodes, queryFn: () => api<NodesData>("/api/nodes"), refetchInterval: XCAT_STATUS_MS });
}

const host = (name: string, tail = "") => `/api/test-hosts/${encodeURIComponent(name)}${tail}`;

/** A test host's whole serial console as text, for a link. */
export const consoleTextUrl = (name: string) => host(name, "/console");

/** Power, test host and deploy commands; each marks the node list stale once it answered (or failed). */
export function useNodeCommands() {
  const refresh = useRefreshNodes();
  const refreshing = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } finally {
      refresh();
    }
  };
  return {
    hostPower: (name: string, action: "on" | "off" | "reset") =>
      refreshing(api(host(name, "/power"), { method: "POST", body: { action } })),
    createHost: (body: TestHostInput) => refreshing(api("/api/test-hosts", { method: "POST", body })),
    deleteHost: (name: string) => refreshing(api(host(name), { method: "DELETE" })),
    nodesPower: (nodes: string[], action: string) =>
      refreshing(api<PowerResults>("/api/nodes/power", { method: "POST", body: { nodes, action } })),
    /** What a deploy would do, without doing it. */
    deployPlan: async (body: DeployRequest) =>
      (await api<{ plan: DeployPlanView }>("/api/deploys", { method: "POST", body: { ...body, confirm: false } })).plan,
    deployStart: (body: DeployRequest) =>
      refreshing(api<{ jobId: string }>("/api/deploys", { method: "POST", body: { ...body, confirm: true } })),
  };
}
