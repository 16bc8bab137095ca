/**
 * The one rule for osimage names, shared by the API contracts and the local registry. Names become directory
 * and file names (`images/<name>/`, `exports/<name>.tgz`), so no '/', no leading '.' and no '..'; '+' is
 * allowed because xCAT names such as `rhels9.4-x86_64-netboot+gpu` exist on real management nodes.
 */
export const IMAGE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

export function isValidImageName(name: string): boolean {
  return IMAGE_NAME_RE.test(name) && !name.includes("..");
}
