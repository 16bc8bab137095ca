import { RequestPage } from "@/components/requests/request-page";

// One change request: its captured diff, discussion, timeline and actions.
export default async function ChangeRequestPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <RequestPage id={Number(id)} />;
}
