import { AppError } from "@/lib/errors";

export type TextEncoding = "utf-8" | "latin-1";
export type Encoding = TextEncoding | "binary";
export type LineEnding = "lf" | "crlf" | "mixed" | "none";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }); // keep a BOM as U+FEFF: it round-trips

/** Control bytes that do not occur in text files (everything below 0x20 except \t \n \v \f \r ESC, and DEL). */
function isOddControl(b: number): boolean {
  return (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1b) || b === 0x7f;
}

/**
 * Decides how to show a file: UTF-8 if it decodes strictly, latin-1 if it is text in an 8-bit encoding,
 * binary if it has a NUL byte or more than 1% odd control bytes. Latin-1 maps every byte to one code
 * point (U+0000..U+00FF), so decoding and re-encoding gives back exactly the same bytes.
 */
export function detectEncoding(buf: Buffer): Encoding {
  const sample = buf.subarray(0, 64 * 1024);
  if (sample.includes(0)) return "binary";
  let odd = 0;
  for (const b of sample) if (isOddControl(b)) odd++;
  if (odd > sample.length / 100) return "binary";
  try {
    utf8.decode(buf);
    return "utf-8";
  } catch {
    return "latin-1";
  }
}

export function decodeText(buf: Buffer, enc: TextEncoding): string {
  return enc === "utf-8" ? utf8.decode(buf) : buf.toString("latin1");
}

/** Encodes editor text back to bytes; refuses characters latin-1 cannot hold instead of mangling them. */
export function encodeText(text: string, enc: TextEncoding): Buffer {
  if (enc === "utf-8") return Buffer.from(text, "utf8");
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) {
      throw new AppError(
        "unprocessable",
        `The character "${text[i]}" at offset ${i} cannot be written in latin-1 (the file's encoding); remove it or convert the file to UTF-8.`,
      );
    }
  }
  return Buffer.from(text, "latin1");
}

/** Line endings of a text, so the editor keeps CRLF files CRLF. */
export function detectLineEnding(text: string): LineEnding {
  const crlf = text.split("\r\n").length - 1;
  const lf = text.split("\n").length - 1 - crlf;
  if (crlf === 0 && lf === 0) return "none";
  if (crlf === 0) return "lf";
  if (lf === 0) return "crlf";
  return "mixed";
}

/** `hexdump -C` style lines for the first bytes of a binary file. */
export function hexPreview(buf: Buffer, max = 512): string {
  const lines: string[] = [];
  const part = buf.subarray(0, max);
  for (let off = 0; off < part.length; off += 16) {
    const row = part.subarray(off, off + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, "0"));
    const left = hex.slice(0, 8).join(" ").padEnd(23);
    const right = hex.slice(8).join(" ").padEnd(23);
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${off.toString(16).padStart(8, "0")}  ${left}  ${right}  |${ascii}|`);
  }
  return lines.join("\n");
}
