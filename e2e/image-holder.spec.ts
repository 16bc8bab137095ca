import { apiAs, createUser, expect, test, uiLogin } from "./fixtures";
import { newImage } from "./own-image";
import { ImagePage } from "./pages/image-page";
import { startedJob, waitForJob } from "./wait-job";

// Who holds an image, shown where the user would otherwise meet a bare 409: a command run by another editor
// holds the image exclusively for as long as it runs.

test("the image page shows who holds the image, live, with its job, and the buttons that would be refused say why", async ({
  page,
  adminApi,
}) => {
  const { name } = await newImage(adminApi, "holder", { unpacked: true });
  const alice = await createUser(adminApi, "editor");
  const bob = await createUser(adminApi, "editor");
  await uiLogin(page, bob);
  await new ImagePage(page).goto(name);
  await expect(page.getByTestId("image-busy")).toHaveCount(0);
  await expect(page.getByTestId("pack")).toBeEnabled();

  // alice's command starts while bob looks at the page: the page learns it from the images room, no reload
  const aliceApi = await apiAs(alice);
  const jobId = await startedJob(await aliceApi.post(`/api/images/${name}/commands`, { data: { line: "sleep 120", timeoutMinutes: 5 } }));
  const holder = page.getByTestId("image-busy");
  await expect(holder).toHaveAttribute("data-kind", "command");
  await expect(holder).toHaveAttribute("data-user", alice.username);
  await expect(page.getByTestId("image-busy-holder")).toHaveText(
    new RegExp(`^Running a command "sleep 120", started by ${alice.username} \\d+ s ago$`),
  );
  await expect(page.getByTestId("image-busy-job")).toHaveAttribute("href", `/jobs/${jobId}`);
  // the age is counted on the page while it holds
  const first = await page.getByTestId("image-busy-holder").textContent();
  await expect(page.getByTestId("image-busy-holder")).not.toHaveText(first ?? "");

  // the buttons that need the image alone are disabled and say why
  for (const button of [page.getByTestId("pack"), page.getByTestId("unpack")]) {
    await expect(button).toBeDisabled();
    await expect(button).toHaveAttribute("title", new RegExp(`running a command "sleep 120", started by ${alice.username}`));
  }
  await expect(page.getByTestId("actions-held")).toContainText(`running a command "sleep 120", started by ${alice.username}`);

  // the link leads to the command's job
  await page.getByTestId("image-busy-job").click();
  await expect(page).toHaveURL(new RegExp(`/jobs/${jobId}$`));
  await page.goBack();

  // the command ends: the notice goes and Pack can be clicked again
  expect((await aliceApi.post(`/api/jobs/${jobId}/cancel`)).status()).toBeLessThan(300);
  await waitForJob(adminApi, jobId, { state: "cancelled" });
  await expect(page.getByTestId("image-busy")).toHaveCount(0);
  await expect(page.getByTestId("pack")).toBeEnabled();
  await aliceApi.dispose();
});

test("a click refused by the gate names the holder and links its job, and the page catches up", async ({ page, adminApi }) => {
  const { name } = await newImage(adminApi, "refused", { unpacked: true });
  const alice = await createUser(adminApi, "editor");
  const bob = await createUser(adminApi, "editor");
  await uiLogin(page, bob);
  await new ImagePage(page).goto(name);
  await expect(page.getByTestId("pack")).toBeEnabled();

  // bob's page falls behind (as when its socket is away): the image's summary it reads stays the idle one
  const detail = `**/api/images/${name}`;
  const idle = await (await page.request.get(`/api/images/${name}`)).json();
  await page.route(detail, (route) => route.fulfill({ json: idle }));
  const aliceApi = await apiAs(alice);
  const jobId = await startedJob(await aliceApi.post(`/api/images/${name}/commands`, { data: { line: "sleep 120", timeoutMinutes: 5 } }));
  await page.unroute(detail);

  await page.getByTestId("pack").click();
  const refusal = page.getByTestId("image-action-error");
  await expect(refusal).toHaveAttribute("data-reason", "image-busy");
  await expect(refusal).toContainText(
    new RegExp(`Not started: the image is running a command "sleep 120", started by ${alice.username} \\d+ s ago`),
  );
  await expect(page.getByTestId("refusal-job")).toHaveAttribute("href", `/jobs/${jobId}`);
  // the refusal made the page read the summary again: it now shows the holder
  await expect(page.getByTestId("image-busy")).toHaveAttribute("data-user", alice.username);
  await expect(page.getByTestId("pack")).toBeDisabled();

  expect((await aliceApi.post(`/api/jobs/${jobId}/cancel`)).status()).toBeLessThan(300);
  await waitForJob(adminApi, jobId, { state: "cancelled" });
  await aliceApi.dispose();
});
