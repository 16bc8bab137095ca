"use client";
import { createContext, type ReactNode, useContext, useEffect, useState } from "react";
import { io, type Socket } from "socket.io-client";

const SocketContext = createContext<Socket | null | undefined>(undefined);

/** One Socket.IO connection per tab, to the page's own origin; the session cookie authenticates it. */
export function SocketProvider({ children }: { children: ReactNode }) {
  const [socket, setSocket] = useState<Socket | null>(null);
  useEffect(() => {
    const s = io({ withCredentials: true });
    setSocket(s);
    return () => {
      s.disconnect();
    };
  }, []);
  return <SocketContext.Provider value={socket}>{children}</SocketContext.Provider>;
}

/** The shared socket (null until it is created after mount). Throws outside <SocketProvider>. */
export function useSocket(): Socket | null {
  const s = useContext(SocketContext);
  if (s === undefined) throw new Error("useSocket() must be used inside <SocketProvider>");
  return s;
}
