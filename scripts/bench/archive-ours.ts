// Stand-in for bin/rootimg while the CLI does not exist yet: the same four commands, straight on
// the library (lib/archive/index.ts). The benchmark prefers bin/rootimg when it is there.
import { diffTree, packTree, unpackArchive, verifyArchive } from "../../lib/archive/index.ts";

async function main(argv: string[]) {
  const [cmd, a, b] = argv;
  if (cmd === "unpack") await unpackArchive({ archive: a, dest: b });
  else if (cmd === "pack") await packTree({ tree: a, archive: b, full: argv.includes("--full") });
  else if (cmd === "diff") {
    for (const c of (await diffTree({ tree: a })).changes) process.stdout.write(`${c.letter} ${c.path}\n`);
  } else if (cmd === "verify") process.stdout.write(`${(await verifyArchive({ archive: a })).entries} entries\n`);
  else throw new Error("usage: archive-ours.ts unpack|pack|diff|verify ...");
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
