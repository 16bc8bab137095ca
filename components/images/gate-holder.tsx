"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import type { ImageSummaryDto } from "@/lib/api/contracts/images";
import { type HolderWords, holderText } from "@/lib/images/gate-words";
import { type ApiError, isApiError } from "../api-client";

export type GateBusy = ImageSummaryDto["busy"];

/** The current time, renewed every second while `on` (for "started 12 s ago"). */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [on]);
  return now;
}

/** Why a button that needs the image alone is disabled now ("" when it is not). */
export function busyReason(busy: GateBusy, now: number = Date.now()): string {
  return busy ? `Not now: the image is ${holderText(busy, now)}. It can be started once that ends.` : "";
}

/**
 * Who holds the image now, live: "packing, started by alice 12 s ago" with a link to its job, and the file
 * changes in progress. The image's page refetches its summary on every job start and end (images room).
 */
export function GateHolder({ busy, writers }: { busy: GateBusy; writers: number }) {
  const now = useNow(!!busy);
  if (!busy && writers === 0) return null;
  return (
    <div
      className="notice"
      data-testid="image-busy"
      data-kind={busy?.kind ?? ""}
      data-user={busy?.user ?? ""}
      data-state={busy?.state ?? ""}
    >
      {busy && (
        <>
          <b data-testid="image-busy-holder">{capitalized(holderText(busy, now))}</b>
          {busy.jobId && (
            <>
              {" · "}
              <Link href={`/jobs/${encodeURIComponent(busy.jobId)}`} data-testid="image-busy-job">
                its job
              </Link>
            </>
          )}
          <span className="muted small"> · unpack, pack, roll back, export, delete and file changes are refused until it ends</span>
        </>
      )}
      {writers > 0 && (
        <span data-testid="image-writers">
          {busy ? " · " : ""}
          {writers} file change{writers > 1 ? "s" : ""} in progress
        </span>
      )}
    </div>
  );
}

/**
 * A refusal of the image gate (409) in words, with the holder's job linked; any other error as its message.
 * Branches on `details.reason`, never on the text.
 */
export function GateRefusal({ error, testId }: { error: Error; testId: string }) {
  const holder = gateHolderOf(error);
  if (!holder)
    return (
      <div className="error" data-testid={testId}>
        {error.message}
      </div>
    );
  return (
    <div className="error" data-testid={testId} data-reason="image-busy">
      Not started: the image is {holderText(holder)}.
      {holder.jobId && (
        <>
          {" "}
          <Link href={`/jobs/${encodeURIComponent(holder.jobId)}`} data-testid="refusal-job">
            See its job
          </Link>
          , and retry once it has ended.
        </>
      )}
    </div>
  );
}

function gateHolderOf(e: Error): (HolderWords & { jobId: string | null }) | null {
  if (!isApiError(e, "conflict") || (e as ApiError).details.reason !== "image-busy") return null;
  const { details } = e as ApiError;
  const h = details.holder as { kind?: unknown; user?: unknown; jobId?: unknown; since?: unknown; detail?: unknown } | undefined;
  if (!h || typeof h.kind !== "string" || typeof h.user !== "string" || typeof h.since !== "string") return null;
  return {
    kind: h.kind,
    user: h.user,
    since: h.since,
    jobId: typeof h.jobId === "string" ? h.jobId : null,
    state: details.waiting === true ? "waiting" : "held",
    ...(typeof h.detail === "string" ? { detail: h.detail } : {}),
  };
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
