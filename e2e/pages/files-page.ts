import { expect, type Page } from "@playwright/test";

/** An image's file browser (/images/<name>/files): the tree, the editor tabs, the details panel. */
export class FilesPage {
  constructor(
    readonly page: Page,
    readonly image: string,
  ) {}

  async goto(query = ""): Promise<this> {
    await this.page.goto(`/images/${encodeURIComponent(this.image)}/files${query}`);
    await expect(this.page.getByTestId("file-tree")).toBeVisible();
    return this;
  }

  row(path: string) {
    return this.page.locator(`[data-testid=tree-row][data-path="${path}"]`);
  }
  tab(path: string) {
    return this.page.locator(`[data-testid=editor-tab][data-path="${path}"]`);
  }
  get editor() {
    return this.page.getByTestId("code-editor");
  }
  get saveMessage() {
    return this.page.getByTestId("save-message");
  }

  /** Opens `path` through "jump to path" and waits for its editor. */
  async openFile(path: string): Promise<void> {
    await this.page.getByTestId("jump-path").fill(path);
    await this.page.getByTestId("jump-path").press("Enter");
    await expect(this.tab(path)).toBeVisible();
    await expect(this.editor.locator(".view-lines")).toBeVisible();
  }

  /** Types at the end of the open file. */
  async typeAtEnd(text: string): Promise<void> {
    await this.editor.locator(".view-lines").click();
    await this.page.keyboard.press("Control+End");
    await this.page.keyboard.type(text);
  }

  async save(): Promise<void> {
    await this.page.getByTestId("save-file").click();
  }
}
