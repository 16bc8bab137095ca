import { expect, type Page } from "@playwright/test";

/** The list of images (/images). */
export class ImagesPage {
  constructor(readonly page: Page) {}

  /** Opens the page through the navigation, as a user would. */
  async open(): Promise<this> {
    await this.page.getByTestId("nav-images").click();
    await expect(this.page.getByTestId("images-page")).toBeVisible();
    return this;
  }

  async goto(): Promise<this> {
    await this.page.goto("/images");
    await expect(this.page.getByTestId("images-page")).toBeVisible();
    return this;
  }

  get backend() {
    return this.page.getByTestId("images-backend");
  }

  row(name: string) {
    return this.page.locator(`[data-testid="image-row"][data-image="${name}"]`);
  }

  /** Follows the image's link to its page. */
  async openImage(name: string): Promise<void> {
    await this.row(name).getByTestId("image-link").click();
    await expect(this.page.getByTestId("image-page")).toHaveAttribute("data-image", name);
  }
}
