/**
 * Proof of which pack a node booted, for images whose init is systemd. An image's own /init can print
 * opt/xcat/xcatinfo on the console (the demo image's does); a systemd image prints nothing of the kind, so the
 * pack adds a oneshot unit that copies the stamp to the console early in boot (sysinit.target), where a test
 * host's serial console (and an xCAT node's SOL console) shows it. It lives in the archive only (a pack overlay):
 * the user's tree does not change, and the pack log lists it under "added by packing" (docs/nodes.md).
 */
import fs from "node:fs";
import path from "node:path";
import type { OverlayEntry } from "@/lib/archive/pack-overlay";

export const STAMP_UNIT = "rootimg-studio-stamp.service";

const REASON = "prints opt/xcat/xcatinfo on the console at boot, the proof of which pack a node booted (docs/nodes.md)";

export const STAMP_UNIT_TEXT = `[Unit]
Description=Print this image's pack stamp (/opt/xcat/xcatinfo) on the console
DefaultDependencies=no
Before=sysinit.target
ConditionPathExists=/opt/xcat/xcatinfo

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/cat /opt/xcat/xcatinfo
StandardOutput=tty
StandardError=journal
TTYPath=/dev/console

[Install]
WantedBy=sysinit.target
`;

/** systemd's binary at the path every systemd distribution uses (Debian with merged /usr, RHEL 7 and later, SLES). */
export function usesSystemd(tree: string): boolean {
  try {
    return fs.lstatSync(path.join(tree, "usr/lib/systemd/systemd")).isFile();
  } catch {
    return false;
  }
}

/** The unit and its enabling link, as pack overlay entries; none for an image without systemd. */
export function bootStampEntries(tree: string): OverlayEntry[] {
  if (!usesSystemd(tree)) return [];
  return [
    { path: `etc/systemd/system/${STAMP_UNIT}`, content: STAMP_UNIT_TEXT, mode: 0o644, reason: REASON },
    { path: `etc/systemd/system/sysinit.target.wants/${STAMP_UNIT}`, target: `../${STAMP_UNIT}`, reason: REASON },
  ];
}
