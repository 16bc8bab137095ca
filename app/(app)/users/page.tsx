import { requireUser } from "@/app/_lib/current-user";
import { Forbidden } from "@/components/forbidden";
import { UsersAdmin } from "@/components/users-admin";
import { hasRole } from "@/lib/auth/roles";

export default async function UsersPage() {
  const user = await requireUser();
  if (!hasRole(user, "admin")) return <Forbidden need="admin" />;
  return <UsersAdmin />;
}
