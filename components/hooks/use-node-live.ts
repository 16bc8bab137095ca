"use client";
import { useEffect, useState } from "react";
import type { DeployTargetView } from "@/lib/api/contracts/nodes";
import { room } from "@/lib/realtime/events";
import { useRoom } from "./use-room";

/** Calls `onChange` whenever a test host's status changes, and after every (re)join (the page refetches its list). */
export function useTestHostStatus(onChange: (s: { name: string; status: string } | null) => void): void {
  useRoom(room.nodes(), { "testhost:status": (s) => onChange(s) }, { onJoined: () => onChange(null) });
}

/** The nodes of a deploy job with their states and timestamps, live (the room replays every node's state on join). */
export function useDeployTargets(jobId: string | null): { targets: DeployTargetView[]; error: string | null } {
  const [byNode, setByNode] = useState<Map<string, DeployTargetView>>(() => new Map());
  // biome-ignore lint/correctness/useExhaustiveDependencies: another job: forget the previous one's nodes
  useEffect(() => setByNode(new Map()), [jobId]);
  const { error } = useRoom(jobId ? room.deploy(jobId) : null, {
    "deploy:target": (t) => {
      setByNode((prev) => {
        const old = prev.get(t.node);
        // a replayed row can arrive after a newer live one: keep the longer history
        if (old && old.history.length > t.history.length) return prev;
        return new Map(prev).set(t.node, t);
      });
    },
  });
  return { targets: [...byNode.values()], error };
}

/** A test host's serial console: `onReset` with the whole history (at join and at each power on), then `onData`. */
export function useConsoleStream(host: string | null, onReset: (data: string) => void, onData: (data: string) => void): string | null {
  return useRoom(host ? room.console(host) : null, {
    "console:reset": (m) => onReset(m.data),
    "console:data": (m) => onData(m.data),
  }).error;
}
