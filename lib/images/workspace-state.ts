/** The Workspace row of an image: packed | unpacking | unpacked | packing, and who unpacked it. */
import { prisma } from "@/lib/db/client";

export type WorkspaceState = "packed" | "unpacking" | "unpacked" | "packing";

export async function setWorkspaceState(image: string, state: WorkspaceState, by?: string): Promise<void> {
  const extra = state === "unpacked" && by ? { unpackedAt: new Date(), unpackedBy: by } : {};
  await prisma.workspace.upsert({ where: { image }, create: { image, state, ...extra }, update: { state, ...extra } });
}

export async function getWorkspace(image: string) {
  return prisma.workspace.findUnique({ where: { image } });
}
