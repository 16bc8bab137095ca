import { ImagesList } from "@/components/images/images-list";

// Images: every osimage with its archive, workspace, lock and last job (data from /api/images).
export default function ImagesPage() {
  return <ImagesList />;
}
