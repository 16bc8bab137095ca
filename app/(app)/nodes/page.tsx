import { NodesPage } from "@/components/nodes/nodes-page";

// Nodes: test hosts and xCAT nodes, power, deploy with proof of the booted pack, and the test hosts' consoles.
// `?image=NAME&version=N` preselects what to deploy (links from an image's versions).
export default async function Nodes({ searchParams }: { searchParams: Promise<{ image?: string; version?: string }> }) {
  const sp = await searchParams;
  const version = sp.version && /^\d+$/.test(sp.version) ? Number(sp.version) : undefined;
  return <NodesPage initialImage={sp.image} initialVersion={version} />;
}
