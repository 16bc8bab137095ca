/**
 * Picks the backend once per process: xCAT where `$XCATROOT/bin/lsdef` exists (XCATROOT default /opt/xcat),
 * otherwise the local registry under `<ROOTIMG_DATA_DIR>/images`. Tests select the fake xCAT with
 * XCATROOT=<checkout>/test/fake-xcat.
 */
import path from "node:path";
import { env } from "@/lib/env";
import type { ImageBackend } from "./image-backend";
import { LocalBackend } from "./local-backend";
import { XcatBackend, xcatInstalled, xcatRoot } from "./xcat-backend";

const g = globalThis as unknown as { rootimgBackend?: ImageBackend };

export function localImagesDir(): string {
  return path.join(env().dataDir, "images");
}

export function getBackend(): ImageBackend {
  g.rootimgBackend ??= xcatInstalled() ? new XcatBackend(xcatRoot(), path.join(env().dataDir, "tmp")) : new LocalBackend(localImagesDir());
  return g.rootimgBackend;
}
