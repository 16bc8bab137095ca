/**
 * How the image gate's holders are put into words, the same on the server (its 409 messages) and in the browser
 * (the image page's "packing, started by alice 12 s ago"). No imports: client components use it too.
 */

/** What an image is doing while an exclusive holder of this kind holds it. */
export const HOLDER_VERBS = {
  unpack: "unpacking",
  pack: "packing",
  rollback: "rolling back",
  adopt: "recording the tree as the workspace",
  replace: "replacing the tree",
  delete: "deleting",
  import: "importing",
  reconcile: "recording the archive found on disk",
  command: "running a command",
  shell: "open in a shell",
} as const;

/** A shared holder (a file change in progress) of this kind, singular and plural. */
export const WRITER_NOUNS: Record<string, [string, string]> = {
  content: ["save", "saves"],
  upload: ["upload", "uploads"],
  create: ["create", "creates"],
  mkdir: ["new folder", "new folders"],
  symlink: ["new link", "new links"],
  rename: ["rename", "renames"],
  delete: ["delete", "deletes"],
  mode: ["mode change", "mode changes"],
  owner: ["owner change", "owner changes"],
  revert: ["revert", "reverts"],
  export: ["export", "exports"],
};

export function writerNoun(kind: string, count = 1): string {
  return (WRITER_NOUNS[kind] ?? [`${kind} change`, `${kind} changes`])[count > 1 ? 1 : 0];
}

/** "12 s ago", "3 min ago". */
export function sinceText(since: Date | string, now: number = Date.now()): string {
  const s = Math.max(0, Math.round((now - new Date(since).getTime()) / 1000));
  return s < 120 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

export type HolderWords = { kind: string; user: string; since: Date | string; state?: "waiting" | "held"; detail?: string };

/**
 * "packing, started by alice 12 s ago" ('running a command "dnf -y update", started by …'); for a holder still waiting for the writes in progress to finish:
 * "pack waiting for the changes in progress to finish, started by alice 2 s ago".
 */
export function holderText(h: HolderWords, now: number = Date.now()): string {
  const what =
    h.state === "waiting"
      ? `${h.kind} waiting for the changes in progress to finish`
      : ((HOLDER_VERBS as Record<string, string>)[h.kind] ?? h.kind);
  return `${what}${h.detail ? ` "${h.detail}"` : ""}, started by ${h.user} ${sinceText(h.since, now)}`;
}
