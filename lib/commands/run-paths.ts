import path from "node:path";
import { stateDirFor } from "@/lib/archive/state-dir";

/**
 * A run's scratch (overlay upper and work directories) and the originals its apply replaced live in the
 * tree's state directory, beside the tree and never inside it: on the same file system, so an apply is a
 * rename, and never packed into the image.
 */
export const runsDirFor = (tree: string) => path.join(stateDirFor(tree), "runs");
export const runDirFor = (tree: string, runId: string) => path.join(runsDirFor(tree), runId);
export const originalsDirFor = (tree: string, runId: string) => path.join(stateDirFor(tree), "originals", runId);
