import { NewRequest } from "@/components/requests/new-request";

// Bundle pending changes of an image (?image=) into a change request.
export default async function NewRequestPage({ searchParams }: { searchParams: Promise<{ image?: string }> }) {
  const { image } = await searchParams;
  if (!image) return <p className="error">Pick an image on the Changes page first.</p>;
  return <NewRequest image={image} />;
}
