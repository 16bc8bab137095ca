// Fake `lsdef -t site [-l] [-o clustersite | clustersite] [-i a,b]`: xCAT shows its site table as one object named
// `clustersite` (real outputs in xcat-transcripts-nodes.md, sections 08–18):
//   - `-i` prints only the requested attributes that are set (site.installdir unset: no `installdir=` line, rc 0);
//   - another object name prints the whole clustersite object on stdout AND the not-found error (rc 1).
import { error, exit, load, out } from "./state.mjs";

export const SITE_OBJECT = "clustersite";

export function lsdefSite({ name, long, only }) {
  const site = load().site;
  if (!name && !long && !only) return out(`${SITE_OBJECT}  (site)`);
  const shown =
    only && (!name || name === SITE_OBJECT)
      ? Object.fromEntries(only.filter((a) => site[a] !== undefined && site[a] !== "").map((a) => [a, site[a]]))
      : site;
  out(`Object name: ${SITE_OBJECT}`);
  for (const k of Object.keys(shown).sort()) out(`    ${k}=${shown[k]}`);
  if (name && name !== SITE_OBJECT) {
    error(`Could not find an object named '${name}' of type 'site'.`);
    return exit(1);
  }
}
