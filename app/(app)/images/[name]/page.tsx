import { ImageDetail } from "@/components/images/image-detail";

// One image: attributes, files in rootimgdir, versions, unpack/pack (data from /api/images/{name}).
export default async function ImagePage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <ImageDetail name={decodeURIComponent(name)} />;
}
