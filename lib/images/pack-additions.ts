/**
 * What the own pack adds to the archive so nodes receive what packimage would give them (docs/xcat-packimage.md):
 * on the xCAT backend, packimage's tree changes as an overlay read from xCAT's tables; on the local backend,
 * which has no site table, passwd table, postscripts or synclists, none of those, and the timezone the image's
 * own etc/localtime names is kept through the exlist. On both, a systemd image gets the unit that prints the
 * pack's stamp on the console at boot (boot-stamp-unit.ts).
 */
import fs from "node:fs";
import path from "node:path";
import type { OverlayChange, PackOverlay } from "@/lib/archive/pack-overlay";
import { packimageOverlay } from "@/lib/xcat/packimage-steps";
import { bootStampEntries } from "./boot-stamp-unit";
import type { ImageContext } from "./image-context";

export type PackAdditions = { overlay?: PackOverlay; timezone?: string };

export async function packAdditions(ctx: ImageContext, log: (line: string, stream?: "stdout" | "stderr") => void): Promise<PackAdditions> {
  if (!ctx.backend.packimageSettings) {
    const timezone = imageTimezone(ctx.tree);
    log(
      `local backend: no xCAT tables to take postscripts, root's password or synclists from; ${timezone ? `the exlist keeps usr/share/zoneinfo/${timezone}, which etc/localtime names` : "etc/localtime names no zone under usr/share/zoneinfo"}`,
    );
    const stamp = bootStampEntries(ctx.tree);
    return { timezone, overlay: stamp.length ? { entries: stamp } : undefined };
  }
  const settings = await ctx.backend.packimageSettings(ctx.image);
  const { overlay, messages } = await packimageOverlay(ctx.tree, settings);
  // a synclist that ships its own file at the unit's path wins
  for (const e of bootStampEntries(ctx.tree)) if (!overlay.entries.some((o) => o.path === e.path)) overlay.entries.push(e);
  for (const m of messages) log(m.level === "warning" ? `Warning: ${m.text}` : m.text, m.level === "warning" ? "stderr" : "stdout");
  if (ctx.image.exlist && !settings.timezone)
    for (let i = 0; i < ctx.image.exlist.split(",").filter(Boolean).length; i++)
      log("No timezone defined in site table, skipping timezone exlist configuration");
  return { overlay, timezone: settings.timezone };
}

/** The zone `etc/localtime` links to (`/usr/share/zoneinfo/<tz>` or `../usr/share/zoneinfo/<tz>`), if it does. */
export function imageTimezone(tree: string): string | undefined {
  try {
    const target = fs.readlinkSync(path.join(tree, "etc/localtime"));
    const m = /^(?:\/|\.\.\/)usr\/share\/zoneinfo\/(.+)$/.exec(path.posix.normalize(target));
    return m && !m[1].split("/").includes("..") ? m[1] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pack log's "added by packing" lines: one per change, except that changes below a directory the overlay
 * itself added or replaced for the same reason are counted on that directory's line (xcatpost/ holds hundreds of
 * postscripts). The job's result keeps every change.
 */
export function addedByPackingLines(changes: OverlayChange[]): string[] {
  const lines: { head: OverlayChange; added: number; removed: number; replaced: number }[] = [];
  let open: (typeof lines)[number] | undefined;
  for (const c of changes) {
    if (open && c.path.startsWith(`${open.head.path}/`) && c.reason === open.head.reason) {
      open[c.change === "removed" ? "removed" : c.change === "added" ? "added" : "replaced"]++;
      continue;
    }
    const line = { head: c, added: 0, removed: 0, replaced: 0 };
    lines.push(line);
    if (c.change !== "removed") open = line;
  }
  return lines.map(({ head, added, removed, replaced }) => {
    const below = [added && `${added} added`, replaced && `${replaced} replaced`, removed && `${removed} removed`]
      .filter(Boolean)
      .join(", ");
    return `added by packing: ${head.change} ${head.path}${below ? ` and below it ${below}` : ""} (${head.reason})`;
  });
}
