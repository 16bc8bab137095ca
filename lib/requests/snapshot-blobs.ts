/**
 * The content change requests keep of the text files they captured (both sides), gzip'd in the database and
 * keyed by the sha256 of the bytes: a request shows exactly what was submitted even after the tree, the
 * pristine archive or the pack cache moved on. Identical content is stored once.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { prisma, type Tx } from "@/lib/db/client";

export const sha256Of = (buf: Buffer) => createHash("sha256").update(buf).digest("hex");

export async function putBlob(buf: Buffer, db: Tx = prisma): Promise<string> {
  const sha = sha256Of(buf);
  const data = gzipSync(buf, { level: 6 });
  await db.changeRequestBlob.upsert({
    where: { sha256: sha },
    create: { sha256: sha, size: buf.length, data: new Uint8Array(data) },
    update: {},
  });
  return sha;
}

export async function getBlob(sha: string): Promise<Buffer | null> {
  const row = await prisma.changeRequestBlob.findUnique({ where: { sha256: sha } });
  return row ? gunzipSync(Buffer.from(row.data)) : null;
}
