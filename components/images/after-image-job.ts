import type { ImageDetailDto } from "@/lib/api/contracts/images";

/**
 * The image as an ended pack or unpack left it: the workspace unpacked and the lock released (the server did
 * both before the job's last update went out). Anything else is left as read.
 */
export function afterImageJob(image: ImageDetailDto, job: { type: string; state: string }): ImageDetailDto {
  const settled = job.type === "image.pack" || (job.type === "image.unpack" && job.state === "succeeded");
  return settled && (image.workspace === "packing" || image.workspace === "unpacking")
    ? { ...image, workspace: "unpacked", lock: null }
    : image;
}
