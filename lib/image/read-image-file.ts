import { createHash } from "node:crypto";
import fs from "node:fs";
import { AppError } from "@/lib/errors";
import { describeEntry, type FileEntry } from "./describe-entry";
import { decodeText, detectEncoding, detectLineEnding, type Encoding, hexPreview, type LineEnding } from "./detect-encoding";
import { detectLanguage } from "./detect-language";
import { readImageUsers } from "./image-users";
import { openInRoot } from "./open-in-root";
import { resolveInRoot } from "./resolve-in-root";

/** Files above this size are not loaded into the editor; they can still be downloaded. */
export const EDITOR_MAX_BYTES = 5 * 1024 * 1024;

export type ImageFileContent = {
  entry: FileEntry;
  encoding: Encoding;
  lineEnding: LineEnding;
  finalNewline: boolean;
  language: string;
  /** content hash: a save must present it, so a file changed meanwhile is never overwritten */
  etag: string;
  tooLarge: boolean;
  /** text for the editor (utf-8 or latin-1 files under the limit) */
  content?: string;
  /** hexdump of the start (binary or too-large files) */
  hex?: string;
};

export function etagOf(buf: Buffer): string {
  return createHash("sha256").update(buf).digest("hex").slice(0, 32);
}

/** Reads a whole file through a verified descriptor. */
export function readFd(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  while (off < size) {
    const n = fs.readSync(fd, buf, off, size - off, off);
    if (n === 0) break;
    off += n;
  }
  return buf.subarray(0, off);
}

/** Opens a file of an image for the editor (symlinks followed inside the image, like `vi path`). */
export function readImageFile(root: string, p: string): ImageFileContent {
  const r = resolveInRoot(root, p, { followFinal: true });
  try {
    if (!r.exists) throw new AppError("not_found", `${r.path} does not exist in the image.`);
    if (!r.stat?.isFile()) throw new AppError("unprocessable", `${r.path} is not a regular file; only regular files open in the editor.`);
    const fd = openInRoot(r, fs.constants.O_RDONLY);
    try {
      const st = fs.fstatSync(fd);
      const name = r.path.slice(r.path.lastIndexOf("/") + 1);
      const entry = describeEntry({ name, path: r.path, st, users: readImageUsers(root) });
      const tooLarge = st.size > EDITOR_MAX_BYTES;
      const buf = readFd(fd, tooLarge ? 64 * 1024 : st.size);
      const encoding = detectEncoding(buf);
      const base = { entry, encoding, tooLarge, etag: tooLarge ? `large-${st.size}-${st.mtimeMs}` : etagOf(buf) };
      const firstLine = buf.subarray(0, 200).toString("latin1").split("\n")[0];
      const language = detectLanguage(r.path, firstLine);
      if (tooLarge || encoding === "binary") {
        return { ...base, language, lineEnding: "none", finalNewline: false, hex: hexPreview(buf) };
      }
      const content = decodeText(buf, encoding);
      return { ...base, language, content, lineEnding: detectLineEnding(content), finalNewline: content.endsWith("\n") };
    } finally {
      fs.closeSync(fd);
    }
  } finally {
    r.close();
  }
}
