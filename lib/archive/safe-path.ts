import { PathEscapeError } from "./errors.ts";

/**
 * Turns an archive name into a clean relative path ("" for the root) or refuses it. Absolute names and `..`
 * components are refused outright rather than stripped: an archive that contains them is not a root image we
 * should half-trust.
 */
export function normalizeEntryName(name: string): string {
  if (name.startsWith("/")) throw new PathEscapeError(name, "has an absolute path");
  if (name.includes("\0")) throw new PathEscapeError(name, "contains a NUL byte");
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new PathEscapeError(name, "contains a '..' component");
  return parts.join("/");
}

export function parentOf(rel: string): string {
  const i = rel.lastIndexOf("/");
  return i < 0 ? "" : rel.slice(0, i);
}
