// Next-only (next/headers): server components and layouts under app/ use it; lib/ stays free of Next.
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getSessionUser, SESSION_COOKIE, type SessionUser } from "@/lib/auth/session";

/** The signed-in user for a server component, or null. */
export async function getCurrentUser(): Promise<SessionUser | null> {
  const jar = await cookies();
  return getSessionUser(jar.get(SESSION_COOKIE)?.value);
}

/** The signed-in user; sends the browser to the login page otherwise. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  return user;
}
