"use client";
import Link from "next/link";
import { useState } from "react";
import type { RequestChangedEvent } from "@/lib/realtime/events";
import { roleAtLeast, useCurrentUser } from "../current-user";
import { useRequestInbox, useRequestsRoom } from "../hooks/use-requests";

const ACTION_TEXT: Record<string, string> = {
  create: "submitted",
  submit: "submitted",
  update: "updated",
  approve: "approved",
  request_changes: "sent back for changes",
  abandon: "abandoned",
  pack: "packed",
  deploy: "deployed",
  comment: "commented on",
};

/** Whether an event concerns the user: their own request moved, or a request of someone else waits for their review. */
export function concernsMe(e: RequestChangedEvent, me: { id: string; role: "viewer" | "editor" | "reviewer" | "admin" }): boolean {
  if (e.byId === me.id) return false;
  if (e.authorId === me.id) return true;
  return roleAtLeast(me, "reviewer") && e.state === "submitted" && ["create", "submit", "update"].includes(e.action);
}

/** The count of requests waiting for the signed-in user, beside the navigation's Requests link. */
export function RequestsCount() {
  const inbox = useRequestInbox();
  const n = (inbox.data?.review.length ?? 0) + (inbox.data?.own.length ?? 0);
  if (!n) return null;
  const title = `${inbox.data?.review.length ?? 0} to review, ${inbox.data?.own.length ?? 0} of yours waiting for you`;
  return (
    <span className="badge state-running" data-testid="requests-count" title={title}>
      {" "}
      {n}
    </span>
  );
}

/** Live notices: a request waits for you, or one of yours changed state. */
export function RequestNotices() {
  const me = useCurrentUser();
  const [notices, setNotices] = useState<(RequestChangedEvent & { key: number })[]>([]);
  useRequestsRoom((e) => {
    if (!concernsMe(e, me)) return;
    setNotices((cur) => [...cur.slice(-3), { ...e, key: Date.now() + Math.random() }]);
  });
  if (!notices.length) return null;
  return (
    <div
      className="request-notices"
      data-testid="request-notices"
      style={{ position: "fixed", right: 16, bottom: 16, zIndex: 50, display: "grid", gap: 8, maxWidth: 380 }}
    >
      {notices.map((n) => (
        <div key={n.key} className="notice" data-testid="request-notice" data-request={n.id}>
          <Link href={`/requests/${n.id}`}>
            #{n.id} {n.title}
          </Link>{" "}
          on {n.image} was {ACTION_TEXT[n.action] ?? n.action} by {n.by}
          {n.authorId !== me.id && n.state === "submitted" ? ": it waits for your review." : "."}{" "}
          <button type="button" className="link small" onClick={() => setNotices((cur) => cur.filter((x) => x.key !== n.key))}>
            dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
