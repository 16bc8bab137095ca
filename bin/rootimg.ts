/**
 * rootimg: command-line front end of lib/archive (unpack, pack, diff, verify xCAT root images).
 * Exit 0 on success; on failure one line `error: ...` on stderr and exit 1 (2 for usage errors).
 * Progress goes to stderr only when stderr is a terminal, so scripts and pipes see clean output.
 */
import {
  type ArchiveProgress,
  diffTree,
  keepPublishedArchive,
  packTree,
  prepareSpare,
  type SpareResult,
  unpackArchive,
  verifyArchive,
} from "../lib/archive/index.ts";

const USAGE = `usage:
  rootimg unpack ARCHIVE DEST
  rootimg pack TREE ARCHIVE [--exlist FILE[,FILE...]] [--stamp IMAGENAME] [--full] [--keep N] [--spare]
  rootimg spare ARCHIVE
  rootimg diff TREE
  rootimg verify ARCHIVE`;

class UsageError extends Error {}

/** Archives `rootimg pack` keeps in the versions folder by default, the one just packed included (as the server's retention). */
const DEFAULT_KEEP = 5;

function progress(p: ArchiveProgress): void {
  if (!process.stderr.isTTY) return;
  const pct = p.bytesTotal ? ((100 * p.bytesDone) / p.bytesTotal).toFixed(1) : "?";
  process.stderr.write(
    `\r${p.phase}: ${pct}% (${(p.bytesDone / 1048576).toFixed(0)}/${(p.bytesTotal / 1048576).toFixed(0)} MiB), ${p.entries} entries   `,
  );
}

function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
}

function parseFlags(
  args: string[],
  known: Record<string, "value" | "bool">,
): { positional: string[]; flags: Record<string, string | true> } {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("--")) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
      const kind = known[name];
      if (!kind) throw new UsageError(`unknown option --${name}`);
      if (kind === "bool") flags[name] = true;
      else {
        const v = inline ?? args[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        flags[name] = v;
      }
    } else positional.push(a);
  }
  return { positional, flags };
}

function writeSpare(r: SpareResult | null): void {
  if (!r) process.stdout.write("spare not made: the archive was replaced while it was copied\n");
  else
    process.stdout.write(
      `spare for the next incremental pack: ${r.file} (${r.bytes} bytes, ${r.cloned ? "reflink clone" : "copied"} in ${(r.ms / 1000).toFixed(2)} s)\n`,
    );
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  const ac = new AbortController();
  process.once("SIGINT", () => ac.abort());
  process.once("SIGTERM", () => ac.abort());
  const signal = ac.signal;
  if (cmd === "unpack") {
    const { positional } = parseFlags(rest, {});
    if (positional.length !== 2) throw new UsageError("unpack needs ARCHIVE and DEST");
    const r = await unpackArchive({ archive: positional[0], dest: positional[1], signal, onProgress: progress });
    endProgress();
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(`unpacked ${r.entries} entries (${r.format.label}) into ${r.dest}\n`);
  } else if (cmd === "pack") {
    const { positional, flags } = parseFlags(rest, { exlist: "value", stamp: "value", full: "bool", keep: "value", spare: "bool" });
    if (positional.length !== 2) throw new UsageError("pack needs TREE and ARCHIVE");
    const keep = flags.keep === undefined ? DEFAULT_KEEP : Number(flags.keep);
    if (!Number.isInteger(keep) || keep < 1)
      throw new UsageError("--keep needs a whole number of at least 1 (the archive just packed counts)");
    // The archive found before the pack (genimage, packimage) is kept first, as the server does.
    await keepPublishedArchive(positional[1], keep);
    const r = await packTree({
      tree: positional[0],
      archive: positional[1],
      exlist: flags.exlist as string | undefined,
      stamp: flags.stamp as string | undefined,
      full: flags.full === true,
      signal,
      onProgress: progress,
    });
    endProgress();
    const v = await keepPublishedArchive(r.archive, keep);
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(
      `packed ${r.entries} entries into ${r.archive} (${r.size} bytes, ${r.members} members, ${r.membersReused} reused${r.baseFromSpare ? ", from the spare" : ""})${r.uuid ? ` IMAGEUUID=${r.uuid}` : ""}; kept as ${v.kept}\n`,
    );
    if (flags.spare === true) writeSpare(await prepareSpare(r.archive));
  } else if (cmd === "spare") {
    const { positional } = parseFlags(rest, {});
    if (positional.length !== 1) throw new UsageError("spare needs ARCHIVE");
    writeSpare(await prepareSpare(positional[0]));
  } else if (cmd === "diff") {
    const { positional } = parseFlags(rest, {});
    if (positional.length !== 1) throw new UsageError("diff needs TREE");
    const r = await diffTree({ tree: positional[0], signal });
    process.stdout.write(r.changes.map((c) => `${c.letter} ${c.path}\n`).join(""));
  } else if (cmd === "verify") {
    const { positional } = parseFlags(rest, {});
    if (positional.length !== 1) throw new UsageError("verify needs ARCHIVE");
    const r = await verifyArchive({ archive: positional[0], signal, onProgress: progress });
    endProgress();
    process.stdout.write(`ok: ${r.entries} entries, ${r.format.label}, ${r.bytes} bytes uncompressed\n`);
  } else if (cmd === "-h" || cmd === "--help" || cmd === "help") {
    process.stdout.write(`${USAGE}\n`);
  } else throw new UsageError(cmd ? `unknown command ${cmd}` : "missing command");
}

// `rootimg diff TREE | head` closes stdout early: that is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
});

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    endProgress();
    const msg = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, " ");
    process.stderr.write(`error: ${msg}\n`);
    if (e instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
