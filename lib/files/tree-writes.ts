import { AppError } from "@/lib/errors";
import { imageJobKey } from "@/lib/images/image-context";
import { heldKeys } from "@/lib/jobs/active-jobs";

/**
 * File changes (saves, uploads, renames...) in flight per image, in this process, and the gate between
 * them and the jobs that rewrite or archive the whole tree (pack, unpack). Both sides decide without an
 * await: a change enters only while no pack/unpack holds the image's job key (startJob takes it before
 * its first await), and pack/unpack call `assertNoTreeWrites` right before startJob, so an upload that is
 * still streaming when someone clicks Pack makes the pack refuse instead of archiving half a file.
 * The Workspace state in the database (getImageTree) stays the check for the state across restarts.
 * On globalThis: Next's route bundles and the job code may load separate copies of this module.
 */
const g = globalThis as unknown as { rootimgTreeWrites?: Map<string, Map<string, number>> };
const inFlight = (g.rootimgTreeWrites ??= new Map());

/** Enters one change of `image` (`kind`: upload, content...). Throws 409 while a pack or unpack of it runs; call the returned release when done. */
export function beginTreeWrite(image: string, kind: string): () => void {
  const holder = heldKeys.get(imageJobKey(image));
  // a rollback republishes an archive and leaves the tree alone
  if (holder && holder !== "rollback") {
    throw new AppError("conflict", `Image ${image} is being packed or unpacked (job ${holder}); nothing was changed. Wait for the job to finish, then retry.`, { details: { jobId: holder, reason: "image-busy" } });
  }
  const kinds = inFlight.get(image) ?? new Map<string, number>();
  inFlight.set(image, kinds);
  kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const n = (kinds.get(kind) ?? 1) - 1;
    if (n > 0) kinds.set(kind, n);
    else kinds.delete(kind);
    if (kinds.size === 0 && inFlight.get(image) === kinds) inFlight.delete(image);
  };
}

/** What is in flight for `image`, e.g. "1 upload and 2 saves" (empty when nothing). */
export function describeTreeWrites(image: string): string {
  const kinds = inFlight.get(image);
  if (!kinds) return "";
  const noun = (k: string, n: number) => (k === "content" ? (n > 1 ? "saves" : "save") : k === "upload" ? (n > 1 ? "uploads" : "upload") : `${k} change${n > 1 ? "s" : ""}`);
  const parts = [...kinds].map(([k, n]) => `${n} ${noun(k, n)}`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}` : parts[0];
}

/** Pack and unpack call this with no await before startJob: refuses (409) while changes of `image` are in flight. */
export function assertNoTreeWrites(image: string, job: "pack" | "unpack"): void {
  const what = describeTreeWrites(image);
  if (what) {
    throw new AppError("conflict", `${what} to image ${image} ${/^1 \w+$/.test(what) ? "is" : "are"} in progress; the ${job} was not started. Wait for them to finish (see the upload panel), then ${job} again.`, { details: { inFlight: what } });
  }
}
