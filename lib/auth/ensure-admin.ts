import { randomBytes } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { createUser } from "@/lib/db/users";

/**
 * On a database without users, creates `admin` with `password` (ADMIN_PASSWORD) or a random one.
 * Returns the generated password so the caller prints it once; null when nothing was created or the
 * password came from the environment.
 */
export async function ensureAdmin(password?: string): Promise<{ created: boolean; generated: string | null }> {
  if ((await prisma.user.count()) > 0) return { created: false, generated: null };
  const generated = password ? null : randomBytes(12).toString("base64url");
  await createUser({ actor: null, username: "admin", password: password ?? (generated as string), role: "admin" });
  return { created: true, generated };
}
