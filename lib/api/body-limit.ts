import { Transform } from "node:stream";
import { AppError } from "@/lib/errors";

/** Body limits: small for JSON (a login, a rename), per route where a route needs more (file saves, uploads). */
export const BODY_LIMITS = {
  json: 64 * 1024,
  /** a saved file: 6 MiB of text, JSON-escaped (a control character becomes six bytes) */
  fileContent: 40 * 1024 * 1024,
  /** one uploaded file: root images hold big files (firmware, initrds), but not bigger than this */
  fileUpload: 4 * 1024 * 1024 * 1024,
  /** an uploaded image bundle */
  bundle: 32 * 1024 * 1024 * 1024,
} as const;

export function tooLarge(max: number): AppError {
  return new AppError("payload_too_large", `The request body is larger than this route accepts (${formatBytes(max)}); send less.`, {
    details: { maxBytes: max },
  });
}

/** Refuses at once a body whose declared length is over `max` (nothing of it is read). */
export function checkDeclaredLength(headers: Headers, max: number): void {
  const declared = headers.get("content-length");
  if (declared !== null && Number(declared) > max) throw tooLarge(max);
}

/** Reads a body as text, stopping (and refusing) as soon as it passes `max` bytes: it is never held whole. */
export async function readCappedText(req: Request, max: number): Promise<string> {
  checkDeclaredLength(req.headers, max);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A pass-through stream that fails with 413 once more than `max` bytes went through (for streamed uploads). */
export function byteCap(max: number): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      cb(size > max ? tooLarge(max) : null, size > max ? undefined : chunk);
    },
  });
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${n / 1024 ** 3} GiB`;
  if (n >= 1024 ** 2) return `${n / 1024 ** 2} MiB`;
  return `${n / 1024} KiB`;
}
