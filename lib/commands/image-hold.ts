import type { SessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { describeTreeWrites } from "@/lib/files/tree-writes";
import { imageJobKey } from "@/lib/images/image-context";

export type HolderKind = "command" | "shell";

/**
 * How a command, a shell or an apply holds its image: exclusively, like a pack. Returns what to spread into
 * startJob's options; call it with no await between it and startJob (the check and the reservation are one
 * synchronous step). While the image is held, saves and uploads of its files are refused (409) and pack or
 * unpack cannot start; a save of another file is refused too, not queued: the overlay's lower layer must not
 * change under a running command, and a save that waited for a shell could wait for hours.
 */
export function holdImage(image: string, who: { kind: HolderKind; what: string; user: SessionUser; tree: string }): { key: string } {
  const inFlight = describeTreeWrites(image);
  if (inFlight) {
    throw new AppError("conflict", `${inFlight} to image ${image} ${/^1 \w+$/.test(inFlight) ? "is" : "are"} in progress; the ${who.what} was not started. Wait for them to finish, then try again.`, { details: { inFlight } });
  }
  return { key: imageJobKey(image) };
}
