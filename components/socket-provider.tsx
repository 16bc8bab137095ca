"use client";
import { createContext, type ReactNode, useContext, useEffect, useState } from "react";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/realtime/events";

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const SocketContext = createContext<RealtimeSocket | null | undefined>(undefined);

/** One Socket.IO connection per tab, to the page's own origin; the session cookie authenticates it. */
export function SocketProvider({ children }: { children: ReactNode }) {
  const [socket, setSocket] = useState<RealtimeSocket | null>(null);
  useEffect(() => {
    const s: RealtimeSocket = io({ withCredentials: true });
    setSocket(s);
    return () => {
      s.disconnect();
    };
  }, []);
  return <SocketContext.Provider value={socket}>{children}</SocketContext.Provider>;
}

/** The shared socket (null until it is created after mount); rooms are joined through useRoom. Throws outside <SocketProvider>. */
export function useSocket(): RealtimeSocket | null {
  const s = useContext(SocketContext);
  if (s === undefined) throw new Error("useSocket() must be used inside <SocketProvider>");
  return s;
}
