// Fake `lsdef -t site [-l] [-o clustersite | clustersite] [-i a,b]`: xCAT shows its site table as one object named
// `clustersite`, in the same stanza format as every other object. Real output (xCAT docs, backup/restore guide):
//   # lsdef -t site clustersite -i installdir
//   Object name: clustersite
//       installdir=/install
// and xCAT's own docker test of `lsdef -t site -l -i domain` (`Object name: clustersite` / `    domain=cluster`).
// With -i a requested attribute is printed even when unset (xcat-facts §4.2), so an unset installdir is `installdir=`.
import { load, out, error, exit } from "./state.mjs";

export const SITE_OBJECT = "clustersite";

export function lsdefSite({ name, long, only }) {
  if (name && name !== SITE_OBJECT) {
    out("No object definitions have been found");
    error(`Could not find an object named '${name}' of type 'site'.`);
    return exit(1);
  }
  const site = load().site;
  if (!name && !long && !only) return out(`${SITE_OBJECT}  (site)`);
  const shown = only ? Object.fromEntries(only.map((a) => [a, site[a] ?? ""])) : site;
  out(`Object name: ${SITE_OBJECT}`);
  for (const k of Object.keys(shown).sort()) out(`    ${k}=${shown[k]}`);
}
