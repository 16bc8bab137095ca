import { expect, type Page } from "@playwright/test";

export type Creds = { username: string; password: string };

/** The sign-in page (of the suite's server, or of an own server at `baseURL`). */
export class LoginPage {
  constructor(
    readonly page: Page,
    readonly baseURL = "",
  ) {}

  async goto(): Promise<this> {
    await this.page.goto(`${this.baseURL}/login`);
    return this;
  }

  /** Fills the form and submits it, without waiting for the outcome. */
  async submit(creds: Creds): Promise<void> {
    await this.page.getByTestId("login-username").fill(creds.username);
    await this.page.getByTestId("login-password").fill(creds.password);
    await this.page.getByTestId("login-submit").click();
  }

  /** Signs in and waits for the dashboard to show the user. */
  async signIn(creds: Creds): Promise<void> {
    await this.goto();
    await this.submit(creds);
    await expect(this.page.getByTestId("current-user")).toHaveText(creds.username);
  }

  get error() {
    return this.page.getByTestId("login-error");
  }
}
