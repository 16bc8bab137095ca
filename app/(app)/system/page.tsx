import { requireUser } from "@/app/_lib/current-user";
import { Forbidden } from "@/components/forbidden";
import { SystemHealth } from "@/components/system-health";
import { hasRole } from "@/lib/auth/roles";

export default async function SystemPage() {
  const user = await requireUser();
  if (!hasRole(user, "admin")) return <Forbidden need="admin" />;
  return <SystemHealth />;
}
