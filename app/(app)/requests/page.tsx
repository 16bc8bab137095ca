import { RequestsList } from "@/components/requests/requests-list";

// Change requests of every image (or one: ?image=).
export default async function RequestsPage({ searchParams }: { searchParams: Promise<{ image?: string }> }) {
  const { image } = await searchParams;
  return <RequestsList image={image || undefined} />;
}
