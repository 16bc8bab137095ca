import { expect, type Page } from "@playwright/test";
import type { JobEnd } from "../wait-job";

/** One image's page (/images/<name>): actions, the running job, versions. */
export class ImagePage {
  constructor(readonly page: Page) {}

  async goto(name: string): Promise<this> {
    await this.page.goto(`/images/${encodeURIComponent(name)}`);
    await expect(this.page.getByTestId("image-page")).toHaveAttribute("data-image", name);
    return this;
  }

  get workspace() {
    return this.page.getByTestId("image-workspace");
  }
  get job() {
    return this.page.getByTestId("image-job");
  }
  get jobProgress() {
    return this.page.getByTestId("job-progress");
  }
  get actionError() {
    return this.page.getByTestId("image-action-error");
  }
  get versions() {
    return this.page.getByTestId("version-row");
  }
  version(seq: number) {
    return this.page.locator(`[data-testid="version-row"][data-seq="${seq}"]`);
  }
  get liveVersion() {
    return this.page.locator('[data-testid="version-row"][data-live="true"]');
  }

  async unpack(): Promise<void> {
    await this.page.getByTestId("unpack").click();
  }

  async pack(method?: "own" | "xcat", opts: { full?: boolean } = {}): Promise<void> {
    if (method) await this.page.getByTestId("pack-method").selectOption(method);
    if (opts.full) await this.page.getByLabel("full").check();
    await this.page.getByTestId("pack").click();
  }

  /** Republishes version `seq` through its confirm button. */
  async rollback(seq: number): Promise<void> {
    await this.version(seq).getByTestId("rollback").click();
    await this.version(seq).getByTestId("rollback-confirm").click();
  }

  /** Waits for the job shown on the page to end in `state`. */
  async waitForJob(state: JobEnd = "succeeded", timeout = 60_000): Promise<void> {
    await expect(this.jobProgress).toHaveAttribute("data-state", state, { timeout });
  }
}
