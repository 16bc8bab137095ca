import { FileBrowser } from "@/components/files/file-browser";

// The file browser and editor of one unpacked image (client side; the API checks every request).
export default async function ImageFilesPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <FileBrowser image={decodeURIComponent(name)} />;
}
