import type { SessionUser } from "@/lib/auth/session";
import { type ExclusiveHold, reserveExclusive } from "@/lib/images/image-gate";

export type HolderKind = "command" | "shell";

/**
 * How a command, a shell or an apply holds its image: exclusively through the image gate, like a pack (with
 * xCAT's image lock). Returns what to spread into startJob's options; the check and the reservation are one
 * synchronous step. While the image is held, saves and uploads of its files are refused with 409 naming the
 * command line and who started it, and pack or unpack cannot start. A save of a file the command does not
 * touch is refused too, not queued: which files a command touches is known only when it ends, the overlay's
 * lower layer must not change under a running command, and a save waiting for a shell could wait for hours.
 */
export function holdImage(
  image: string,
  who: { kind: HolderKind; user: SessionUser; tree: string; detail?: string },
): { hold: ExclusiveHold } {
  return { hold: reserveExclusive(image, { kind: who.kind, user: who.user, tree: who.tree, detail: who.detail }) };
}
