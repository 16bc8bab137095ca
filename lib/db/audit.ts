import type { AuditEntryDto } from "@/lib/api/contracts/audit";
import { prisma } from "./client";

export type ListAuditOptions = { user?: string; image?: string; action?: string; before?: number; limit?: number };

/** Newest first; `action` matches as a prefix (`image.` finds every image action). */
export async function listAudit({
  user,
  image,
  action,
  before,
  limit = 100,
}: ListAuditOptions): Promise<{ entries: AuditEntryDto[]; nextBefore: number | null }> {
  const rows = await prisma.auditLog.findMany({
    where: {
      username: user || undefined,
      image: image || undefined,
      action: action ? { startsWith: action } : undefined,
      id: before ? { lt: before } : undefined,
    },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    entries: page.map((r) => ({ ...r, detail: r.detail === null ? null : safeParse(r.detail) })),
    nextBefore: rows.length > limit ? page[page.length - 1].id : null,
  };
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
