import { PendingChanges } from "@/components/changes/pending-changes";

export default async function ChangesPage({ searchParams }: { searchParams: Promise<{ image?: string }> }) {
  const { image } = await searchParams;
  return <PendingChanges image={image || undefined} />;
}
