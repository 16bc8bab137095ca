import { ArchiveError } from "./errors.ts";
import type { DiffOptions, DiffResult } from "./types.ts";

/** Compares a tree with its pristine manifest. (Being implemented.) */
export async function diffTree(opts: DiffOptions): Promise<DiffResult> {
  throw new ArchiveError(`diffTree not implemented yet (${opts.tree})`, { code: "internal" });
}
