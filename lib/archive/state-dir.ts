import path from "node:path";

/**
 * Per-tree state (pristine manifest, pack cache) lives NEXT to the tree, never inside it, so it can never end up
 * in a packed image: `dirname(tree)/.rootimg-studio/<basename(tree)>/`.
 */
export function stateDirFor(tree: string): string {
  const abs = path.resolve(tree);
  return path.join(path.dirname(abs), ".rootimg-studio", path.basename(abs));
}

/**
 * Earlier archives are kept in `dirname(archive)/.rootimg-studio/versions/`: not as `rootimg.*` in rootimgdir,
 * because xCAT's packimage unlinks the glob `rootimg.*` there.
 */
export function versionsDirFor(archive: string): string {
  const abs = path.resolve(archive);
  return path.join(path.dirname(abs), ".rootimg-studio", "versions");
}
