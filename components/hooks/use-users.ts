"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { UserDto } from "@/lib/api/contracts/users";
import { api } from "../api-client";
import type { Role } from "../current-user";

export type UserView = Omit<UserDto, "createdAt" | "updatedAt"> & { createdAt: string };

const keys = { all: ["users"] as const };
const url = (id: string, tail = "") => `/api/users/${encodeURIComponent(id)}${tail}`;

/** The accounts (admins). */
export function useUsers() {
  return useQuery({ queryKey: keys.all, queryFn: () => api<{ users: UserView[] }>("/api/users") });
}

/** Account commands; each refreshes the list. */
export function useUserCommands() {
  const qc = useQueryClient();
  const after = async <T>(p: Promise<T>) => {
    const r = await p;
    void qc.invalidateQueries({ queryKey: keys.all });
    return r;
  };
  return {
    create: (b: { username: string; password: string; role: Role }) => after(api<UserView>("/api/users", { method: "POST", body: b })),
    update: (id: string, b: { role?: Role; disabled?: boolean }) => after(api<UserView>(url(id), { method: "PATCH", body: b })),
    setPassword: (id: string, password: string) => after(api(url(id, "/password"), { method: "POST", body: { password } })),
  };
}
