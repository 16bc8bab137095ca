"use client";
import { useQuery } from "@tanstack/react-query";
import type { HealthDto } from "@/lib/api/contracts/health";
import { apiErrorOf } from "../api-client";

/** Query keys of the health resource; only this module writes them. */
const keys = { health: ["health"] as const };

/** GET /api/health, refreshed every 30 s. A failing server answers 503 with the same body: that is data, not an error. */
export function useHealth() {
  return useQuery({
    queryKey: keys.health,
    queryFn: async () => {
      const res = await fetch("/api/health", { credentials: "same-origin", cache: "no-store" });
      if (res.status !== 200 && res.status !== 503) throw apiErrorOf(res.status, res.statusText, await res.json().catch(() => null));
      return (await res.json()) as HealthDto;
    },
    refetchInterval: 30_000,
  });
}
