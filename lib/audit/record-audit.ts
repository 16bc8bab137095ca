import type { Tx } from "@/lib/db/client";

/** ok: done; error: attempted and failed; denied: refused by a check; started/cancelled/interrupted: jobs. */
export type AuditOutcome = "ok" | "error" | "denied" | "started" | "cancelled" | "interrupted";

export type AuditEntry = {
  /** who: the session user, or just a name (failed logins, the system) */
  user: { id?: string | null; username: string } | null;
  /** dotted verb: image.unpack, file.save, user.create, auth.login */
  action: string;
  image?: string | null;
  node?: string | null;
  /** path or object the action was about */
  target?: string | null;
  outcome: AuditOutcome;
  /** small JSON-able facts (never secrets) */
  detail?: unknown;
};

/**
 * Records one audit row. Pass the transaction client of the change it records, so the change and its record
 * commit together or not at all: `prisma.$transaction(async (tx) => { ...change...; await recordAudit(tx, ...) })`.
 */
export async function recordAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      userId: entry.user?.id ?? null,
      username: entry.user?.username ?? "system",
      action: entry.action,
      image: entry.image ?? null,
      node: entry.node ?? null,
      target: entry.target ?? null,
      outcome: entry.outcome,
      detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
    },
  });
}
