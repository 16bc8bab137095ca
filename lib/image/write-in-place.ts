import fs from "node:fs";
import { AppError } from "@/lib/errors";
import { dumpXattrs } from "./copy-xattrs";
import { openInRoot } from "./open-in-root";
import type { ResolvedPath } from "./resolve-in-root";
import { applyInPlace, forgetJournal, type InPlaceStep, type StagedTemp, writeJournal } from "./staged-write";

/**
 * Rewrites a file on its own inode so that its other hard links see the new content: a rename would give this
 * name a new inode and silently split it from its other names. The new content is complete in `temp` (staged
 * beside the tree, staged-write.ts); `bytes` is the same content in memory (a save), written in one
 * synchronous step so no request of this process reads half of it. A journal entry is made durable before the
 * first byte of the target changes, so a crash at any later moment is finished at start-up (recoverWrites):
 * every name then shows the old or the new content, never a mix. Extended attributes are dumped first and
 * restored after the write, because the kernel drops `security.capability` on write.
 * With `ctimeNs` (a save) the file must be unchanged since it was read; the last check and the first write
 * happen with no await in between.
 * On success the temp file is removed. On a failure after the target was touched the journal and the temp file
 * stay (`temp.keep`): they are the only complete copy, and start-up writes it again.
 * `beforeStep` stops the writer at a named moment (the crash tests).
 */
export async function writeInPlace(o: {
  r: ResolvedPath;
  st: fs.Stats;
  temp: StagedTemp;
  size: number;
  bytes?: Buffer;
  ctimeNs?: bigint;
  beforeStep?: (s: InPlaceStep) => void;
}): Promise<void> {
  const { r } = o;
  const fd = openInRoot(r, fs.constants.O_WRONLY);
  let journal: string | undefined;
  let touched = false;
  try {
    const cur = fs.fstatSync(fd, { bigint: true });
    if (Number(cur.ino) !== o.st.ino) throw new AppError("conflict", `${r.path} was replaced meanwhile; reload and try again.`);
    const xattrs = await dumpXattrs(fd, r.path);
    const ctimeNs = o.ctimeNs ?? cur.ctimeNs;
    const changed = () => new AppError("conflict", `${r.path} was changed while saving; nothing was saved. Reload, compare and try again.`);
    if (fs.fstatSync(fd, { bigint: true }).ctimeNs !== ctimeNs) throw changed();
    o.beforeStep?.("journal");
    journal = await writeJournal({ r, ino: o.st.ino, ctimeNs, temp: o.temp, size: o.size, xattrs });
    if (fs.fstatSync(fd, { bigint: true }).ctimeNs !== ctimeNs) throw changed();
    touched = true;
    await applyInPlace({
      fd,
      size: o.size,
      bytes: o.bytes,
      fromFd: o.bytes ? undefined : o.temp.fd,
      xattrs,
      what: r.path,
      step: o.beforeStep,
    });
    o.beforeStep?.("forget");
    forgetJournal(journal, o.temp.at);
  } catch (e) {
    if (touched) o.temp.keep = true;
    else if (journal) forgetJournal(journal, o.temp.at);
    throw touched && !(e instanceof AppError)
      ? new AppError(
          "internal",
          `${r.path} could not be written completely (${(e as Error).message}); its new content is kept beside the image and is written again when the server restarts.`,
          { cause: e },
        )
      : e;
  } finally {
    fs.closeSync(fd);
  }
}
