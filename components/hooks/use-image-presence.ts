"use client";
import { useEffect, useMemo, useRef, useState } from "react";
import { type FilesChangedEvent, type PresenceUser, room } from "@/lib/realtime/events";
import type { FilesApi } from "../files/files-api";
import { useSocket } from "../socket-provider";
import { useRoom } from "./use-room";

export type { FilesChangedEvent };

/**
 * Presence in the image's room: sends which files this tab has open (on change, on each (re)join of the room
 * and every 10 s) with the id of the tab's socket, so the server drops it as soon as that socket ends;
 * receives everyone's, and hands `files:changed` events to `onChanged`.
 */
export function useImagePresence(o: { image: string; fa: FilesApi; openFiles: string[]; onChanged: (e: FilesChangedEvent) => void }) {
  const [users, setUsers] = useState<PresenceUser[]>([]);
  const clientId = useMemo(tabClientId, []);
  const socket = useSocket();
  const onChanged = useRef(o.onChanged);
  onChanged.current = o.onChanged;

  /** `live`: the socket has joined the image's room, so from now on every files:changed reaches this tab */
  const { joined: live } = useRoom(room.image(o.image), {
    "files:presence": (m) => setUsers(m.users),
    "files:changed": (e) => onChanged.current(e),
  });

  // A closed or reloaded page leaves at once; a beacon still goes out while the page unloads.
  useEffect(() => {
    const leave = () => o.fa.leavePresence(clientId);
    window.addEventListener("pagehide", leave);
    return () => {
      window.removeEventListener("pagehide", leave);
      leave();
    };
  }, [clientId, o.fa]);

  const key = o.openFiles.join("\0");
  useEffect(() => {
    const files = key ? key.split("\0") : [];
    // `live` flips on every (re)join, and a reconnected socket has a new id: beat again to bind to it.
    const beat = () =>
      o.fa
        .presence(clientId, files, live && socket?.id ? socket.id : undefined)
        .then((r) => setUsers(r.users))
        .catch(() => {});
    void beat();
    const t = setInterval(beat, 10_000);
    return () => clearInterval(t);
  }, [key, clientId, o.fa, live, socket]);

  /** path -> other users who have it open */
  const othersOpen = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const u of users) {
      if (u.clientId === clientId) continue;
      for (const f of u.files) m.set(f, [...(m.get(f) ?? []), u.username]);
    }
    return m;
  }, [users, clientId]);
  return { users, othersOpen, clientId, live };
}

/**
 * One id per browser tab that survives a reload (sessionStorage is per tab): after a reload the tab replaces
 * its own presence instead of seeing itself as another editor of its own files.
 */
function tabClientId(): string {
  const fresh = () =>
    typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  try {
    const kept = sessionStorage.getItem("rootimg-presence-client");
    if (kept && kept.length >= 8) return kept;
    const id = fresh();
    sessionStorage.setItem("rootimg-presence-client", id);
    return id;
  } catch {
    return fresh();
  }
}
