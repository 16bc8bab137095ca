import type { Page } from "@playwright/test";

/** The Changes page: pending changes per unpacked image. */
export class ChangesPage {
  constructor(readonly page: Page) {}

  async goto(image?: string): Promise<this> {
    await this.page.goto(image ? `/changes?image=${encodeURIComponent(image)}` : "/changes");
    return this;
  }

  async open(): Promise<this> {
    await this.page.getByTestId("nav-changes").click();
    return this;
  }

  /** The block of one image. */
  image(name: string) {
    const block = this.page.locator(`[data-testid=changes-image][data-image="${name}"]`);
    return {
      block,
      count: block.getByTestId("changes-count"),
      row: (path: string) => block.locator(`[data-testid=change-row][data-path="${path}"]`),
    };
  }
}
