import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { E2E_DATA_DIR } from "./e2e-env";
import { expect } from "./fixtures";

export const DEMO_IMAGE = "demo-busybox-x86_64-netboot-compute";

/** Unpacks the demo image once (or waits for an unpack under way) and returns its tree on disk. */
export async function ensureUnpacked(api: APIRequestContext): Promise<string> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const res = await api.get(`/api/images/${DEMO_IMAGE}`);
    if (res.status() === 404) {
      // the server creates the demo image at start-up; where it has not (yet), create it the same way
      execFileSync(process.execPath, ["--import", "tsx", "scripts/demo-image.ts"], {
        env: { ...process.env, ROOTIMG_DATA_DIR: E2E_DATA_DIR },
        stdio: "inherit",
      });
      continue;
    }
    const img = await res.json();
    const tree = path.join(img.rootimgdir, "rootimg");
    if (img.workspace === "unpacked" && fs.existsSync(path.join(tree, "etc/motd"))) return tree;
    if (img.workspace === "packed" || img.workspace === "missing") {
      const r = await api.post(`/api/images/${DEMO_IMAGE}/unpack`, { data: { mode: "unpack" } });
      if (r.status() === 202) {
        const { jobId } = await r.json();
        await expect
          .poll(async () => (await (await api.get(`/api/jobs/${jobId}`)).json()).state, { timeout: 60_000 })
          .toMatch(/succeeded|failed/);
      }
    }
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`${DEMO_IMAGE} did not become unpacked`);
}
