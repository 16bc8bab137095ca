import { Suspense } from "react";
import { ImageHistory } from "@/components/requests/image-history";

// One image's history: versions, change requests, commands, deploys; any two versions compared.
export default async function ImageHistoryPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return (
    <Suspense>
      <ImageHistory image={decodeURIComponent(name)} />
    </Suspense>
  );
}
