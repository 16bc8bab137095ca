// Fake `tabdump passwd`: xCAT's CSV dump of a table. Real output (xCAT's documentation of the passwd table):
//   #key,username,password,cryptmethod,authdomain,comments,disable
//   "system","root","cluster",,,,
import { error, exit, load, out } from "./state.mjs";

const TABLES = { passwd: ["key", "username", "password", "cryptmethod", "authdomain", "comments", "disable"] };

export function tabdump(argv) {
  const table = argv.filter((a) => !a.startsWith("-"))[0];
  const cols = TABLES[table];
  if (!cols) {
    error(`Unable to open ${table}`);
    return exit(1);
  }
  out(`#${cols.join(",")}`);
  for (const row of load()[table] || [])
    out(cols.map((c) => (row[c] === undefined || row[c] === "" ? "" : `"${String(row[c]).replaceAll('"', '""')}"`)).join(","));
}
