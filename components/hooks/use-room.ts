"use client";
import { useEffect, useRef, useState } from "react";
import type { JoinAck, Room, RoomEventName, RoomFamily, RoomPayload } from "@/lib/realtime/events";
import { type RealtimeSocket, useSocket } from "../socket-provider";

export type RoomHandlers<F extends RoomFamily> = { [E in RoomEventName<F>]?: (payload: RoomPayload<F, E>) => void };

/** How many mounted hooks of this tab want each room: `leave` goes out when the last one unmounts. */
const wanted = new WeakMap<RealtimeSocket, Map<string, number>>();

/**
 * Joins a room of lib/realtime/events.ts, hands its events to `handlers`, and joins again after every
 * reconnect (the server forgets a socket's rooms when it drops). The server replays the stored state on
 * each join (a job's log, the presence), so handlers must accept an event twice; `onJoined` runs after each
 * successful join, the place to refetch what may have changed while the socket was away.
 *
 *   const { joined, error } = useRoom(room.job(id), {
 *     "job:update": (u) => …,
 *     "job:log": (m) => …,
 *   }, { onJoined: () => … });
 *
 * `target` null or undefined joins nothing. Handlers and `onJoined` may change on every render.
 */
export function useRoom<F extends RoomFamily>(
  target: Room<F> | null | undefined,
  handlers: RoomHandlers<F>,
  opts?: { onJoined?: () => void },
): { joined: boolean; error: string | null } {
  const socket = useSocket();
  const [joined, setJoined] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef({ handlers, onJoined: opts?.onJoined });
  latest.current = { handlers, onJoined: opts?.onJoined };

  useEffect(() => {
    if (!socket || !target) return;
    let active = true;
    const counts = wanted.get(socket) ?? new Map<string, number>();
    wanted.set(socket, counts);
    counts.set(target, (counts.get(target) ?? 0) + 1);

    const join = () =>
      socket.emit("join", target, (r: JoinAck) => {
        if (!active) return;
        setJoined(r.ok);
        setError(r.ok ? null : r.error);
        if (r.ok) latest.current.onJoined?.();
      });
    const onEvent = (event: string, roomName: unknown, payload: unknown) => {
      if (roomName !== target) return;
      const handler = (latest.current.handlers as Record<string, ((p: unknown) => void) | undefined>)[event];
      handler?.(payload);
    };
    const lost = () => setJoined(false);
    socket.onAny(onEvent);
    socket.on("connect", join);
    socket.on("disconnect", lost);
    if (socket.connected) join();
    return () => {
      active = false;
      socket.offAny(onEvent);
      socket.off("connect", join);
      socket.off("disconnect", lost);
      const left = (counts.get(target) ?? 1) - 1;
      if (left > 0) counts.set(target, left);
      else {
        counts.delete(target);
        socket.emit("leave", target);
      }
      setJoined(false);
      setError(null);
    };
  }, [socket, target]);

  return { joined, error };
}
