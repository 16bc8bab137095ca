"use client";
import { api } from "../api-client";

/** Signing in and out; the session cookie is set and cleared by the server. */
export const sessionCommands = {
  login: (username: string, password: string) => api("/api/auth/login", { method: "POST", body: { username, password } }),
  logout: () => api("/api/auth/logout", { method: "POST" }),
  /** Changes the signed-in user's own password; the server signs out the user's other sessions. */
  changeOwnPassword: (current: string, password: string) => api("/api/auth/password", { method: "POST", body: { current, password } }),
};
