/**
 * A confirmed "replace the existing tree with the archive" that survives a crash at any point. The old tree
 * is deleted only after the new one is in place, and the renames are ordered so that the names left on disk
 * say how far a replace got:
 *
 *   1. stage:  unpack into `.rootimg.staged-<id>` (its manifest in the state dir of that name)
 *   2. aside:  `rootimg` → `.rootimg.replaced-<id>`, then its state dir likewise
 *   3. swap:   staged tree → `rootimg`, then the staged state dir → the tree's state dir
 *   4. commit: the aside tree and state dir → `.rootimg.trash-<id>/` (one rename each: the commit point)
 *   5. clean:  remove the trash
 *
 * While `.rootimg.replaced-<id>` exists the replace is not committed, and recovery (after a failure, a
 * cancel or, at start-up, a crash) puts the old tree and its state back; after the commit, recovery only
 * removes leftovers. Trash and staged names are never mistaken for a tree: only the aside name is restored.
 */
import fs from "node:fs";
import path from "node:path";
import { stateDirFor } from "@/lib/archive";
import { unguardTree } from "./guard-tree";
import { releaseTree } from "./tree-mount";

export type ReplaceStep = "aside.tree" | "aside.state" | "swap.tree" | "swap.state" | "commit.tree" | "commit.state" | "clean";

export type ReplacePaths = {
  tree: string;
  treeState: string;
  staged: string;
  stagedState: string;
  aside: string;
  asideState: string;
  trash: string;
};

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function replacePaths(rootimgdir: string, id: string): ReplacePaths {
  if (!ID_RE.test(id)) throw new Error(`invalid replace id ${JSON.stringify(id)}`);
  const tree = path.join(rootimgdir, "rootimg");
  const staged = path.join(rootimgdir, `.rootimg.staged-${id}`);
  const aside = path.join(rootimgdir, `.rootimg.replaced-${id}`);
  return {
    tree,
    treeState: stateDirFor(tree),
    staged,
    stagedState: stateDirFor(staged),
    aside,
    asideState: stateDirFor(aside),
    trash: path.join(rootimgdir, `.rootimg.trash-${id}`),
  };
}

const exists = (p: string) => fs.existsSync(p);

export type ReplaceTreeOptions = {
  rootimgdir: string;
  id: string;
  /** Writes the new tree at `dest` (must not exist) and its manifest in stateDirFor(dest): unpackArchive. */
  stage: (dest: string) => Promise<void>;
  log?: (line: string) => void;
  /** Called once the new tree is at the tree's name, before the old one is deleted (unpack protects it there). */
  inPlace?: () => Promise<unknown>;
  /** Tests: called before each rename; throwing there leaves the disk as a crash at that point would. */
  beforeStep?: (step: ReplaceStep) => void;
};

/** Steps 1-5. No cleanup on error: the caller runs recoverReplace (in-process) or start-up does (crash). */
export async function replaceTree(opts: ReplaceTreeOptions): Promise<void> {
  const p = replacePaths(opts.rootimgdir, opts.id);
  const step = (s: ReplaceStep, from: string, to: string) => {
    opts.beforeStep?.(s);
    if (exists(from)) fs.renameSync(from, to);
  };
  await opts.stage(p.staged);
  step("aside.tree", p.tree, p.aside);
  opts.log?.(`moved the existing tree aside to ${p.aside} (restored if the replace does not complete)`);
  step("aside.state", p.treeState, p.asideState);
  step("swap.tree", p.staged, p.tree);
  step("swap.state", p.stagedState, p.treeState);
  await opts.inPlace?.();
  opts.beforeStep?.("commit.tree");
  // Root-only: the old tree's setuid programs and device nodes stay there while it is being deleted.
  fs.mkdirSync(p.trash, { recursive: true, mode: 0o700 });
  step("commit.tree", p.aside, path.join(p.trash, "tree"));
  step("commit.state", p.asideState, path.join(p.trash, "state"));
  opts.beforeStep?.("clean");
  await fs.promises.rm(p.trash, { recursive: true, force: true });
  opts.log?.("the new tree is in place; the old tree was deleted");
}

export type RecoverOutcome = "restored" | "committed" | "cleaned" | "none";

/**
 * Brings a replace that did not finish back to a consistent state: before the commit the old tree and its
 * state dir are put back (and a new tree already swapped in is discarded); after it only leftovers go.
 */
export async function recoverReplace(rootimgdir: string, id: string): Promise<RecoverOutcome> {
  const p = replacePaths(rootimgdir, id);
  let outcome: RecoverOutcome = "none";
  if (exists(p.aside)) {
    // Not committed. Whatever sits at the tree's names now came from the staged copy: move it to the trash.
    fs.mkdirSync(p.trash, { recursive: true, mode: 0o700 });
    // the new tree may be protected already (a mount point cannot be renamed)
    await unguardTree(p.tree);
    if (exists(p.tree)) await releaseTree(p.tree);
    if (exists(p.tree)) fs.renameSync(p.tree, path.join(p.trash, "new-tree"));
    // The stage always writes a state dir: once it has left the staged name, the tree's state dir is the new one.
    if (!exists(p.stagedState) && exists(p.treeState)) fs.renameSync(p.treeState, path.join(p.trash, "new-state"));
    fs.renameSync(p.aside, p.tree);
    if (exists(p.asideState)) fs.renameSync(p.asideState, p.treeState);
    outcome = "restored";
  } else if (exists(p.trash)) outcome = "committed";
  // asideState is left only by a crash between the two commit renames (restoring moved it otherwise).
  for (const leftover of [p.staged, p.stagedState, p.asideState, p.trash, ...stagingTemps(rootimgdir, id)]) {
    if (!exists(leftover)) continue;
    await fs.promises.rm(leftover, { recursive: true, force: true });
    if (outcome === "none") outcome = "cleaned";
  }
  return outcome;
}

/** unpackArchive's temp dirs for the staged tree: `..rootimg.staged-<id>.unpack-XXXXXX`. */
function stagingTemps(rootimgdir: string, id: string): string[] {
  const prefix = `.${path.basename(replacePaths(rootimgdir, id).staged)}.unpack-`;
  return fs.existsSync(rootimgdir)
    ? fs
        .readdirSync(rootimgdir)
        .filter((f) => f.startsWith(prefix))
        .map((f) => path.join(rootimgdir, f))
    : [];
}

/** Ids of replaces that left names in rootimgdir (aside, staged, trash or staging temp). */
export function pendingReplaceIds(rootimgdir: string): string[] {
  if (!fs.existsSync(rootimgdir)) return [];
  const ids = new Set<string>();
  for (const f of fs.readdirSync(rootimgdir)) {
    const m = /^\.{1,2}rootimg\.(?:replaced|staged|trash)-([A-Za-z0-9_-]+?)(?:\.unpack-.*)?$/.exec(f);
    if (m) ids.add(m[1]);
  }
  return [...ids];
}
