"use client";
import { api } from "../api-client";

/** Signing in and out; the session cookie is set and cleared by the server. */
export const sessionCommands = {
  login: (username: string, password: string) => api("/api/auth/login", { method: "POST", body: { username, password } }),
  logout: () => api("/api/auth/logout", { method: "POST" }),
};
