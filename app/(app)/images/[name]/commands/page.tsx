import { Suspense } from "react";
import { CommandsPage } from "@/components/commands/commands-page";

// Commands and shells of one image (client side; the API checks every request and role).
export default async function ImageCommandsPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return (
    <Suspense>
      <CommandsPage image={decodeURIComponent(name)} />
    </Suspense>
  );
}
