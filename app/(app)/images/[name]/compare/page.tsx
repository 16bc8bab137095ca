import { CompareVersionsPage } from "@/components/review/compare-versions-page";

// Two versions of an image compared from their archives (?from=&to=).
export default async function ComparePage({
  params,
  searchParams,
}: {
  params: Promise<{ name: string }>;
  searchParams: Promise<{ from?: string; to?: string }>;
}) {
  const { name } = await params;
  const q = await searchParams;
  const num = (s?: string) => (s && /^\d+$/.test(s) ? Number(s) : undefined);
  return <CompareVersionsPage image={decodeURIComponent(name)} from={num(q.from)} to={num(q.to)} />;
}
