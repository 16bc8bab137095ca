"use client";
import { createContext, type ReactNode, useContext } from "react";

export type Role = "viewer" | "editor" | "reviewer" | "admin";
export type CurrentUser = { id: string; username: string; role: Role };

const ROLES: Role[] = ["viewer", "editor", "reviewer", "admin"];
const UserContext = createContext<CurrentUser | null>(null);

export function CurrentUserProvider({ user, children }: { user: CurrentUser; children: ReactNode }) {
  return <UserContext.Provider value={user}>{children}</UserContext.Provider>;
}

/** The signed-in user (pages under app/(app) always have one). */
export function useCurrentUser(): CurrentUser {
  const u = useContext(UserContext);
  if (!u) throw new Error("useCurrentUser() must be used inside <CurrentUserProvider>");
  return u;
}

/** For showing or hiding controls only; the server checks every request again. */
export function roleAtLeast(user: { role: Role } | null, min: Role): boolean {
  return !!user && ROLES.indexOf(user.role) >= ROLES.indexOf(min);
}
