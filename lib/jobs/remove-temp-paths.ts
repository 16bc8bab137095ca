import { rm } from "node:fs/promises";

/** Removes a job's temporary files and directories; a path that is already gone is fine. */
export async function removeTempPaths(paths: string[]): Promise<string[]> {
  const failed: string[] = [];
  for (const p of paths) {
    try {
      await rm(p, { recursive: true, force: true });
    } catch (e) {
      console.error(`could not remove temporary path ${p}`, e);
      failed.push(p);
    }
  }
  return failed;
}

export function parseTempPaths(json: string | null): string[] {
  if (!json) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}
