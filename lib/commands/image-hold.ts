import { describeTreeWrites } from "@/lib/files/tree-writes";
import { imageJobKey } from "@/lib/images/image-context";
import { AppError } from "@/lib/errors";

/**
 * How a command, a shell or an apply holds the image: exclusively, like a pack, through the job key of the
 * image (startJob takes it before its first await). While it is held, saves and uploads of the image are
 * refused with 409 (lib/files/tree-writes.ts) and pack/unpack cannot start. Call `assertImageFree` with no
 * await between it and startJob.
 */
export function commandHoldKey(image: string): string {
  return imageJobKey(image);
}

export function assertImageFree(image: string, what: string): void {
  const inFlight = describeTreeWrites(image);
  if (inFlight) {
    throw new AppError("conflict", `${inFlight} to image ${image} ${/^1 \w+$/.test(inFlight) ? "is" : "are"} in progress; the ${what} was not started. Wait for them to finish, then try again.`, { details: { inFlight } });
  }
}
