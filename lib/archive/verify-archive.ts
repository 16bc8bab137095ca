import { isAppError } from "@/lib/errors";
import { CpioParser } from "./cpio-parser.ts";
import type { EntrySink, StreamParser } from "./entry.ts";
import { ArchiveCancelledError, ArchiveError } from "./errors.ts";
import { openArchive } from "./open-archive.ts";
import { normalizeEntryName } from "./safe-path.ts";
import { TarParser } from "./tar-parser.ts";
import type { VerifyOptions, VerifyResult } from "./types.ts";

/** Like unpack: the inflate worker usually has the next chunk ready, so give the event loop a turn this often. */
const YIELD_MS = 20;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Reads the whole archive (gzip CRCs, cpio/tar headers, sizes, trailer) without writing anything, and also
 * applies the unpack path policy to names so a "verified" archive is one unpack will accept.
 */
export async function verifyArchive(opts: VerifyOptions): Promise<VerifyResult> {
  const opened = await openArchive(opts.archive, opts.signal);
  const sink: EntrySink = {
    entry: (e) => {
      normalizeEntryName(e.name);
    },
    data: () => {},
    end: () => {},
  };
  const parser: StreamParser = opened.format.container === "cpio" ? new CpioParser(sink) : new TarParser(sink);
  let last = 0;
  let yielded = Date.now();
  try {
    for await (const chunk of opened.chunks) {
      if (opts.signal?.aborted) throw new ArchiveCancelledError("verify");
      parser.write(chunk);
      if (Date.now() - yielded >= YIELD_MS) {
        await turn();
        yielded = Date.now();
      }
      if (opts.onProgress && Date.now() - last > 100) {
        last = Date.now();
        opts.onProgress({ phase: "verify", bytesDone: opened.bytesRead, bytesTotal: opened.total, entries: parser.entries });
      }
    }
    parser.finish();
    return { format: opened.format, entries: parser.entries, bytes: parser.offset };
  } catch (e) {
    if (opts.signal?.aborted || (e as Error).name === "AbortError") throw new ArchiveCancelledError("verify");
    if (isAppError(e)) throw e; // by brand: a copy of the error class from another bundle is still ours
    throw new ArchiveError(`verify of ${opts.archive} failed: ${(e as Error).message}`, { cause: e });
  } finally {
    opened.close();
  }
}
