import type { ReactNode } from "react";
import { requireUser } from "@/app/_lib/current-user";
import { AppNav } from "@/components/app-nav";
import { CurrentUserProvider } from "@/components/current-user";
import { InsecureBanner } from "@/components/insecure-banner";
import { Providers } from "@/components/providers";

// Every page under (app) needs a session; the API checks each request again on its own.
export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return (
    <Providers>
      <CurrentUserProvider user={user}>
        <div className="shell">
          <AppNav />
          <div className="main-col">
            <InsecureBanner />
            <main className="main">{children}</main>
          </div>
        </div>
      </CurrentUserProvider>
    </Providers>
  );
}
