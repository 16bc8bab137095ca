// Fake `lsdef -t node [-l] [-o NAME | NAME] [-i a,b] [-z]` over the nodes in the state (`nodes: { NAME: { attr: value } }`),
// printing what xCAT 2.19 prints (xcat-transcripts-nodes.md 19, 22–24, 28, 61, 62, 89, 90): no nodes at all is
// "Could not find any object definitions to display." with rc 0; a node is shown with xCAT's defaults merged in
// (postbootscripts, postscripts) except in the stanza form; with -i a requested unset attribute prints empty.
import { load, out, error, exit } from "./state.mjs";

const DEFAULTS = { postbootscripts: "otherpkgs", postscripts: "syslog,remoteshell,syncfiles" };

export function lsdefNode({ name, long, only, stanza }) {
  const nodes = load().nodes || {};
  const names = Object.keys(nodes).sort();
  const shown = (n) => (stanza ? { ...nodes[n] } : { ...DEFAULTS, ...nodes[n] });
  if (!name) {
    if (names.length === 0) return out("Could not find any object definitions to display.");
    if (!long && !only && !stanza) return names.forEach((n) => out(`${n}  (node)`));
    return print(names, shown, only, stanza);
  }
  const wanted = name.split(",");
  const missing = wanted.filter((n) => !nodes[n]);
  if (missing.length) {
    out("No object definitions have been found");
    for (const n of missing) error(`Could not find an object named '${n}' of type 'node'.`);
    return exit(1);
  }
  print(wanted, shown, only, stanza);
}

function print(names, shown, only, stanza) {
  if (stanza) {
    out("# <xCAT data object stanza file>");
    out("");
  }
  for (const n of names) {
    const attrs = shown(n);
    const list = only ? Object.fromEntries(only.map((a) => [a, attrs[a] ?? ""])) : attrs;
    out(stanza ? `${n}:` : `Object name: ${n}`);
    if (stanza) out("    objtype=node");
    for (const k of Object.keys(list).sort()) out(`    ${k}=${list[k]}`);
  }
}
