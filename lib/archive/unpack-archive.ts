import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { isAppError } from "@/lib/errors";
import { CpioParser } from "./cpio-parser.ts";
import type { StreamParser } from "./entry.ts";
import { ArchiveCancelledError, ArchiveError } from "./errors.ts";
import { Extractor } from "./extractor.ts";
import { manifestPathFor } from "./manifest.ts";
import { ManifestSpill } from "./manifest-spill.ts";
import { openArchive } from "./open-archive.ts";
import { stateDirFor } from "./state-dir.ts";
import { TarParser } from "./tar-parser.ts";
import type { UnpackOptions, UnpackResult } from "./types.ts";

const PROGRESS_MS = 100;
/**
 * Extraction is synchronous and the inflate worker usually has the next chunk ready, so without a pause the
 * loop would run on microtasks alone: the server's timers and sockets (job progress, every other request)
 * would wait for the whole unpack. Give the event loop a turn this often.
 */
const YIELD_MS = 20;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Unpacks an xCAT root image into `dest` (which must not exist), exactly like `cpio -idum` and better (dir and
 * symlink mtimes). Extraction goes into a temp dir beside dest and is renamed into place only on success; on any
 * failure or cancel the temp dir is removed. The pristine manifest is written to the state dir next to dest.
 */
export async function unpackArchive(opts: UnpackOptions): Promise<UnpackResult> {
  const dest = path.resolve(opts.dest);
  if (existsSync(dest)) throw new ArchiveError(`destination ${dest} already exists; choose a new directory`, { code: "conflict" });
  const parent = path.dirname(dest);
  if (!existsSync(parent)) throw new ArchiveError(`parent directory ${parent} does not exist`, { code: "not_found" });
  const opened = await openArchive(opts.archive, opts.signal);
  const tmp = mkdtempSync(path.join(parent, `.${path.basename(dest)}.unpack-`));
  // The manifest is spilled beside the temp dir (never inside the tree) and written from there at the end.
  const spill = new ManifestSpill(`${tmp}.manifest`);
  const ex = new Extractor(tmp, spill, opened.format.container === "tar");
  const parser: StreamParser = opened.format.container === "cpio" ? new CpioParser(ex) : new TarParser(ex);
  let last = 0;
  const report = (force = false) => {
    if (!opts.onProgress) return;
    const now = Date.now();
    if (!force && now - last < PROGRESS_MS) return;
    last = now;
    opts.onProgress({ phase: "unpack", bytesDone: opened.bytesRead, bytesTotal: opened.total, entries: parser.entries });
  };
  let yielded = Date.now();
  try {
    for await (const chunk of opened.chunks) {
      if (opts.signal?.aborted) throw new ArchiveCancelledError("unpack");
      parser.write(chunk);
      report();
      if (parser.done) break;
      if (Date.now() - yielded >= YIELD_MS) {
        await turn();
        yielded = Date.now();
      }
    }
    if (opts.signal?.aborted) throw new ArchiveCancelledError("unpack");
    parser.finish();
    await ex.finish();
    if (opts.signal?.aborted) throw new ArchiveCancelledError("unpack");
    const manifestPath = manifestPathFor(dest);
    // A stale pack cache or manifest from an earlier tree of the same name must not be trusted.
    rmSync(stateDirFor(dest), { recursive: true, force: true });
    mkdirSync(path.dirname(manifestPath), { recursive: true });
    spill.write(manifestPath, {
      version: 1,
      createdAt: new Date().toISOString(),
      archive: path.resolve(opts.archive),
      format: opened.format,
    });
    if (existsSync(dest)) throw new ArchiveError(`destination ${dest} appeared while unpacking; not overwriting it`, { code: "conflict" });
    renameSync(tmp, dest);
    report(true);
    return { dest, format: opened.format, entries: parser.entries, bytes: parser.offset, manifestPath, warnings: ex.warnings };
  } catch (e) {
    ex.abort();
    spill.remove();
    rmSync(tmp, { recursive: true, force: true });
    if (opts.signal?.aborted || (e as Error).name === "AbortError") throw new ArchiveCancelledError("unpack");
    if (isAppError(e)) throw e; // by brand: a copy of the error class from another bundle is still ours
    throw new ArchiveError(`unpack of ${opts.archive} failed: ${(e as Error).message}`, { cause: e });
  } finally {
    opened.close();
  }
}
