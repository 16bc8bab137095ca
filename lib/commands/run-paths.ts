import path from "node:path";
import { stateDirFor } from "@/lib/archive/state-dir";

/**
 * A run's scratch (overlay upper and work directories) and the originals its apply moves aside live in the
 * tree's state directory, beside the tree and never inside it: on the same file system, so an apply is a
 * rename, and never packed into the image. The originals are inside the run's directory, so they go with it
 * once the apply is recorded (the review's pristine side is kept by the pristine store, not here), and a run
 * left by a stopped server takes them along at start-up.
 */
export const runsDirFor = (tree: string) => path.join(stateDirFor(tree), "runs");
export const runDirFor = (tree: string, runId: string) => path.join(runsDirFor(tree), runId);
export const originalsDirFor = (tree: string, runId: string) => path.join(runDirFor(tree, runId), "originals");
