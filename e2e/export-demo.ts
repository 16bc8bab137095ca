// The demo image's exported bundle, for specs that import a copy of it. Specs run in parallel and an image
// has one export at a time (a second one is refused with 409 naming the running job): then this waits for
// that job, whose bundle is the same.

import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { DEMO_IMAGE } from "./demo-image";
import { E2E_DATA_DIR } from "./e2e-env";
import { expect } from "./fixtures";

/** The bundle's path on the server (of the suite's, or of an own server with data directory `dataDir`). */
export async function exportDemo(api: APIRequestContext, dataDir: string = E2E_DATA_DIR): Promise<string> {
  let jobId: string | undefined;
  await expect
    .poll(
      async () => {
        const res = await api.post(`/api/images/${DEMO_IMAGE}/export`);
        const body = await res.json();
        if (res.status() === 202) jobId = body.jobId;
        // another job holds the image: its export serves as well; a pack or unpack: ask again once it ended
        else if (res.status() === 409) {
          // the running job is named by the job key's refusal (jobId) or the image gate's (holder.jobId)
          const running: string | undefined = body.error?.jobId ?? body.error?.holder?.jobId;
          const other = running ? await (await api.get(`/api/jobs/${running}`)).json() : null;
          if (other?.type === "image.export") jobId = running;
        } else throw new Error(`export of ${DEMO_IMAGE}: ${res.status()} ${JSON.stringify(body)}`);
        return jobId !== undefined;
      },
      { timeout: 120_000, intervals: [250, 500, 1000] },
    )
    .toBe(true);
  await expect.poll(async () => (await (await api.get(`/api/jobs/${jobId}`)).json()).state, { timeout: 120_000 }).toBe("succeeded");
  return path.join(dataDir, "exports", `${DEMO_IMAGE}.tgz`);
}
