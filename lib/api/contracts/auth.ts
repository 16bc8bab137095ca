import { z } from "zod";
import { roleSchema } from "@/lib/auth/roles";
import { defineRoute } from "../define-route";

export const sessionUserSchema = z.object({ id: z.string(), username: z.string(), role: roleSchema });

// POST /api/auth/login – the only public route: sets the session cookie.
export const loginRoute = defineRoute({
  method: "POST",
  path: "/api/auth/login",
  role: "public",
  summary: "Sign in; sets the HttpOnly session cookie (send it back as Cookie on later calls)",
  tags: ["auth"],
  body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }),
  response: z.object({ user: sessionUserSchema, expiresAt: z.date() }),
});

export const logoutRoute = defineRoute({
  method: "POST",
  path: "/api/auth/logout",
  role: "viewer",
  summary: "Sign out: ends the session and clears the cookie",
  tags: ["auth"],
  status: 204,
});

export const meRoute = defineRoute({
  method: "GET",
  path: "/api/auth/me",
  role: "viewer",
  summary: "The signed-in user",
  tags: ["auth"],
  response: sessionUserSchema,
});

export const changeOwnPasswordRoute = defineRoute({
  method: "POST",
  path: "/api/auth/password",
  role: "viewer",
  summary: "Change your own password (the current one is asked for); your other sessions end, this one stays",
  tags: ["auth"],
  body: z.object({ current: z.string().min(1).max(1024), password: z.string().min(8, "at least 8 characters").max(1024) }),
  status: 204,
});
