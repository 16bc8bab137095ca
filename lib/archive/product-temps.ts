/**
 * Names of the product's own temporary files that can sit inside an image tree. Saves and uploads stage their
 * content beside the tree (lib/image/staged-write.ts); only when the tree is on another file system than its
 * state directory is the temp file created next to the target, under `.rootimg-write-<12 hex>`, and recorded so
 * start-up removes it. The second form is the name earlier builds gave such files (`.<name>.rootimg-<12 hex>`).
 * A pack refuses to publish either: it is a partial copy of a file, never part of the image.
 */
export const TREE_TEMP_NAME = /^\.rootimg-write-[0-9a-f]{12}$|^\..+\.rootimg-[0-9a-f]{12}$/s;

/** `name` is one file name (no slash). The cheap test first: the pack asks this of every entry of the tree. */
export function isProductTempName(name: string): boolean {
  return name.charCodeAt(0) === 46 && name.includes(".rootimg-") && TREE_TEMP_NAME.test(name);
}
