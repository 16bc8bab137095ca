// Fake `mkdef -t osimage -o NAME attr=value ...` (transcripts 02, 29), used by tests to seed xCAT's tables.

import process from "node:process";
import { chdefNode, mkdefNode } from "./nodes.mjs";
import { error, exit, load, OSIMAGE_ATTRS, out, save } from "./state.mjs";

// `-t node`, or chdef's `chdef NODE attr=value` without -t: the node half (nodes.mjs).
const isNode = (argv) => argv[argv.indexOf("-t") + 1] === "node" || (!argv.includes("-t") && !argv[0]?.startsWith("-"));

// `-t TYPE -o NAME attr=value ...`, as mkdef and chdef take them.
function parseDefArgs(argv) {
  let name;
  const attrs = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "-t") i++;
    else if (argv[i] === "-o") name = argv[++i];
    else if (argv[i].includes("=")) {
      const at = argv[i].indexOf("=");
      attrs[argv[i].slice(0, at)] = argv[i].slice(at + 1);
    }
  }
  return { name, attrs };
}

export function mkdef(argv) {
  const { name, attrs } = parseDefArgs(argv);
  if (isNode(argv)) return mkdefNode(name, attrs);
  const state = load();
  if (state.osimages[name]) {
    process.stderr.write(
      `Warning: [${process.env.FAKE_XCAT_HOST || "xcatmn"}]: A definition for '${name}' already exists. No changes will be made.  Run again with '-f' option to force replace.\n`,
    );
    error("0 object definitions have been created or modified.");
    return exit(1);
  }
  state.osimages[name] = attrs;
  save(state);
  out("1 object definitions have been created or modified.");
}

// Fake `chdef -t osimage -o NAME attr=value ...` (transcripts 05, 09, nodes-64, nodes-65): an invalid attribute fails the call
// (rc 1) but the valid ones in the same call are still applied, as xCAT does.
export function chdef(argv) {
  const { name, attrs } = parseDefArgs(isNode(argv) && !argv.includes("-o") ? ["-o", ...argv] : argv);
  if (isNode(argv)) return chdefNode(name, attrs);
  const state = load();
  let bad = 0;
  // chdef on a missing osimage creates it (transcript nodes-65) and says so after the usual line.
  const created = !state.osimages[name];
  for (const [k, v] of Object.entries(attrs)) {
    if (!OSIMAGE_ATTRS.has(k)) {
      error(`'${k}' is not a valid attribute name for an object type of 'osimage'.`);
      error("Skipping to the next attribute.");
      bad++;
      continue;
    }
    (state.osimages[name] ??= {})[k] = v;
  }
  save(state);
  if (bad) {
    error("One or more errors occured when attempting to create or modify xCAT object definitions.");
    return exit(1);
  }
  out("1 object definitions have been created or modified.");
  if (created) out(`New object definitions '${name}' have been created.`);
}
