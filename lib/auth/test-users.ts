// Test helper: users and session cookies for unit tests (uses the real code paths, no shortcuts).
import { createUser } from "@/lib/db/users";
import type { Role } from "./roles";
import { createSession, SESSION_COOKIE, type SessionUser } from "./session";

let n = 0;
export async function makeUser(role: Role): Promise<{ user: SessionUser; cookie: string; password: string }> {
  const password = `pw-${role}-${++n}-secret`;
  const u = await createUser({ actor: null, username: `${role}${n}`, password, role });
  const { token } = await createSession(u.id);
  return { user: { id: u.id, username: u.username, role }, cookie: `${SESSION_COOKIE}=${token}`, password };
}
