// Fake `lsdef -t osimage [-l] [-o NAME] [-i a,b] [-z]`, printing what xCAT 2.19 prints (transcripts 01–12, 24–27, 33),
// `lsdef -t site ...` (lsdef-site.mjs) and `lsdef [-t node|group] ...` (nodes.mjs).

import { lsdefSite } from "./lsdef-site.mjs";
import { lsdefNodes } from "./nodes.mjs";
import { error, exit, load, OSIMAGE_ATTRS, out } from "./state.mjs";

export function lsdef(argv) {
  let type = "node",
    name,
    long = false,
    only,
    stanza = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-t") type = argv[++i];
    else if (a === "-o") name = argv[++i];
    else if (a === "-l") long = true;
    else if (a === "-i") only = argv[++i].split(",");
    else if (a === "-z") stanza = true;
    else if (!a.startsWith("-")) name = a;
  }
  if (type === "site") return lsdefSite({ name, long, only });
  if (type === "node" || type === "group") return lsdefNodes({ type, name, long, only, stanza });
  if (type !== "osimage") {
    out("No object definitions have been found");
    error(`Could not find an object named '${name}' of type '${type}'.`);
    return exit(1);
  }
  const images = load().osimages;
  const names = Object.keys(images).sort();
  if (!name) {
    if (names.length === 0) return out("Could not find any object definitions to display.");
    if (stanza) return printStanzas(names.map((n) => [n, images[n]]));
    if (!long) {
      for (const n of names) out(`${n}  (osimage)`);
      return;
    }
    for (const n of names) printObject(n, images[n]);
    return;
  }
  if (!images[name]) {
    out("No object definitions have been found");
    error(`Could not find an object named '${name}' of type 'osimage'.`);
    return exit(1);
  }
  const attrs = { ...images[name] };
  delete attrs.imagename;
  if (stanza) return printStanzas([[name, attrs]]);
  if (only) {
    const bad = only.filter((a) => !OSIMAGE_ATTRS.has(a));
    const shown = {};
    // with -i, a valid attribute is printed even when empty
    for (const a of only) if (OSIMAGE_ATTRS.has(a)) shown[a] = attrs[a] ?? "";
    printObject(name, shown);
    for (const b of bad) error(`'${b}' is not a valid attribute name for an object type of 'osimage'.`);
    return exit(bad.length ? 1 : 0);
  }
  printObject(name, attrs);
}

function printObject(name, attrs) {
  out(`Object name: ${name}`);
  for (const k of Object.keys(attrs).sort()) if (k !== "imagename") out(`    ${k}=${attrs[k]}`);
}

/** `-z`: the stanza file form (transcripts 08, nodes-06, nodes-07). */
function printStanzas(objs) {
  out("# <xCAT data object stanza file>");
  out("");
  for (const [name, attrs] of objs) {
    out(`${name}:`);
    out("    objtype=osimage");
    for (const k of Object.keys(attrs).sort()) if (k !== "imagename") out(`    ${k}=${attrs[k]}`);
  }
}
