"use client";
import { usePathname, useRouter } from "next/navigation";
import { type Role, roleAtLeast, useCurrentUser } from "./current-user";
import { GuardedLink } from "./guarded-link";
import { sessionCommands } from "./hooks/use-session";
import { RequestNotices, RequestsCount } from "./requests/requests-nav";
import { confirmLeave } from "./unsaved-changes";

const ITEMS: { href: string; label: string; min: Role }[] = [
  { href: "/images", label: "Images", min: "viewer" },
  { href: "/changes", label: "Changes", min: "viewer" },
  { href: "/requests", label: "Requests", min: "viewer" },
  { href: "/nodes", label: "Nodes", min: "viewer" },
  { href: "/jobs", label: "Jobs", min: "viewer" },
  { href: "/audit", label: "Audit", min: "viewer" },
  { href: "/users", label: "Users", min: "admin" },
  { href: "/system", label: "System", min: "admin" },
];

export function AppNav() {
  const user = useCurrentUser();
  const pathname = usePathname();
  const router = useRouter();
  async function logout() {
    if (!confirmLeave()) return; // a client-side navigation: beforeunload would not ask
    await sessionCommands.logout().catch(() => undefined);
    router.replace("/login");
    router.refresh();
  }
  return (
    <nav className="nav" data-testid="nav">
      <div className="brand">Rootimg Studio</div>
      <ul>
        {ITEMS.filter((i) => roleAtLeast(user, i.min)).map((i) => (
          <li key={i.href}>
            <GuardedLink
              href={i.href}
              className={pathname.startsWith(i.href) ? "active" : undefined}
              data-testid={`nav-${i.label.toLowerCase()}`}
            >
              {i.label}
              {i.href === "/requests" && <RequestsCount />}
            </GuardedLink>
          </li>
        ))}
      </ul>
      <div className="nav-user">
        <span data-testid="current-user">{user.username}</span>{" "}
        <span className="badge" data-testid="current-role">
          {user.role}
        </span>
        <GuardedLink href="/account" className="link" data-testid="nav-account">
          My password
        </GuardedLink>
        <button type="button" className="link" onClick={logout} data-testid="logout">
          Sign out
        </button>
      </div>
      <RequestNotices />
    </nav>
  );
}
