import type { APIRequestContext, Page } from "@playwright/test";
import { apiAs, createUser, expect, test, uiLogin } from "./fixtures";
import { newImage } from "./own-image";
import { waitForJob } from "./wait-job";

// Change requests with two people at once, each in a browser context of their own, on an image of the spec's own.

async function saveText(api: APIRequestContext, image: string, path: string, edit: (text: string) => string) {
  const cur = await (await api.get(`/api/images/${image}/files/content?path=${path}`)).json();
  const r = await api.put(`/api/images/${image}/files/content`, {
    data: { path, content: edit(cur.content), encoding: "utf-8", etag: cur.etag },
  });
  expect(r.status(), await r.text()).toBe(200);
}

/** Clicks line `n`'s number on the modified (right) side of the diff editor: a comment on that line. */
async function clickModifiedLine(item: ReturnType<Page["locator"]>, n: number) {
  const numbers = item.locator(".editor.modified .line-numbers");
  await expect(numbers.filter({ hasText: new RegExp(`^${n}$`) })).toBeVisible();
  await numbers.filter({ hasText: new RegExp(`^${n}$`) }).click();
}

test("an editor submits a change request, a reviewer comments on a line and asks for changes, the fix is approved and packed with the request recorded", async ({
  browser,
  adminApi,
}) => {
  test.setTimeout(180_000);
  const { name } = await newImage(adminApi, "review", { unpacked: true });
  const editor = await createUser(adminApi, "editor");
  const reviewer = await createUser(adminApi, "reviewer");
  const ed = await apiAs(editor);

  // The editor's changes: /etc/motd's text, a mode, and a command run in the image.
  await saveText(ed, name, "/etc/motd", (t) => `${t}Maintenance window: Sunday 02:00\n`);
  expect((await ed.patch(`/api/images/${name}/files/attributes`, { data: { path: "/etc/hostname", mode: "600" } })).status()).toBe(200);
  await waitForJob(
    ed,
    await ed.post(`/api/images/${name}/commands`, {
      data: { line: "mkdir -p /etc/review && echo ok > /etc/review/by-command", autoApply: true },
    }),
  );

  const edCtx = await browser.newContext();
  const revCtx = await browser.newContext();
  const edPage = await edCtx.newPage();
  const revPage = await revCtx.newPage();
  await uiLogin(edPage, editor);
  await uiLogin(revPage, reviewer);
  await expect(revPage.getByTestId("requests-count")).toHaveCount(0);

  // The editor bundles everything pending from the Changes page.
  await edPage.goto(`/changes?image=${name}`);
  await edPage.getByTestId("changes-new-request").click();
  await expect(edPage.getByTestId("request-path")).toHaveCount(4); // motd, hostname, /etc/review and the file the command wrote
  await edPage.getByTestId("request-title").fill("New motd for the maintenance window");
  await edPage.getByTestId("request-description").fill("Announce Sunday's window; hostname readable by root only.");
  await edPage.getByTestId("request-submit").click();
  await expect(edPage.getByTestId("request-page")).toHaveAttribute("data-state", "submitted");
  const id = Number(await edPage.getByTestId("request-page").getAttribute("data-id"));
  // the author has no approve control, and the API refuses it too
  await expect(edPage.getByTestId("request-approve")).toHaveCount(0);
  const own = await ed.post(`/api/requests/${id}/transition`, { data: { action: "approve" } });
  expect(own.status()).toBe(403);

  // The reviewer is told, live: a notice and the count in the navigation.
  const notice = revPage.locator(`[data-testid="request-notice"][data-request="${id}"]`);
  await expect(notice).toContainText("waits for your review");
  // every request of others waiting for review counts (other specs' reviewers may have some too)
  const rev = await apiAs(reviewer);
  const inbox = await (await rev.get("/api/requests/inbox")).json();
  expect(inbox.review).toContain(id);
  await expect(revPage.getByTestId("requests-count")).toHaveText(String(inbox.review.length + inbox.own.length));
  await notice.getByRole("link").click();
  await expect(revPage.getByTestId("request-page")).toHaveAttribute("data-id", String(id));
  const motd = revPage.locator('[data-testid="request-item"][data-path="/etc/motd"]');
  await expect(motd.locator(".monaco-diff-editor")).toBeVisible();
  await expect(motd.locator(".editor.modified")).toContainText("Maintenance window: Sunday 02:00");
  await expect(revPage.locator('[data-testid="request-item"][data-path="/etc/hostname"] [data-testid="item-after"]')).toContainText(
    "0600 · root:root",
  );
  await expect(revPage.locator('[data-testid="request-item"][data-path="/etc/review/by-command"]')).toContainText("mkdir -p /etc/review");

  // A comment on the changed line, then changes requested.
  const lines = (await (await ed.get(`/api/images/${name}/files/content?path=/etc/motd`)).json()).content.split("\n").length - 1;
  await clickModifiedLine(motd, lines);
  await expect(motd.getByTestId("item-comment-form")).toHaveAttribute("data-line", String(lines));
  await motd.getByTestId("item-comment-body").fill("Say which timezone.");
  await motd.getByTestId("item-comment-send").click();
  await expect(motd.getByTestId("item-comment")).toContainText(`on line ${lines}: Say which timezone.`);
  await revPage.getByTestId("request-review-comment").fill("Please add the timezone.");
  await revPage.getByTestId("request-request-changes").click();
  await expect(revPage.getByTestId("request-page")).toHaveAttribute("data-state", "changes_requested");

  // The editor sees it live, fixes the file: the request shows it changed since submitted until updated.
  await expect(edPage.getByTestId("request-page")).toHaveAttribute("data-state", "changes_requested");
  await expect(edPage.getByTestId("request-discussion")).toContainText("Please add the timezone.");
  await saveText(ed, name, "/etc/motd", (t) => t.replace("Sunday 02:00", "Sunday 02:00 UTC"));
  await edPage.reload();
  await expect(edPage.locator('[data-testid="request-item"][data-path="/etc/motd"] [data-testid="item-changed-since"]')).toBeVisible();
  await edPage.getByTestId("request-update").click();
  await expect(edPage.getByTestId("request-page")).toHaveAttribute("data-revision", "2");
  await expect(edPage.getByTestId("request-page")).toHaveAttribute("data-state", "submitted");
  await expect(edPage.getByTestId("item-changed-since")).toHaveCount(0);

  // The reviewer sees revision 2; the line comment stays with revision 1; approves.
  await expect(revPage.getByTestId("request-page")).toHaveAttribute("data-revision", "2");
  await expect(revPage.locator('[data-testid="request-item"][data-path="/etc/motd"] .editor.modified')).toContainText("Sunday 02:00 UTC");
  await expect(revPage.locator(`[data-testid="request-comment"][data-line="${lines}"]`)).toHaveAttribute("data-revision", "1");
  await revPage.getByTestId("request-approve").click();
  await expect(revPage.getByTestId("request-page")).toHaveAttribute("data-state", "approved");
  await expect(revPage.getByTestId("request-event").filter({ hasText: "approved" })).toHaveCount(1);

  // A change outside the request: the pack is refused with its list, and packs once it is reverted.
  await expect(edPage.getByTestId("request-page")).toHaveAttribute("data-state", "approved");
  expect((await ed.post(`/api/images/${name}/files/create`, { data: { path: "/etc/not-reviewed.conf", type: "file" } })).status()).toBe(
    201,
  );
  await edPage.getByTestId("request-pack").click();
  await expect(edPage.getByTestId("request-action-error")).toHaveAttribute("data-reason", "unapproved-changes");
  await expect(edPage.getByTestId("pack-extra-path")).toHaveAttribute("data-path", "/etc/not-reviewed.conf");
  await expect(edPage.getByTestId("request-action-error")).toContainText("Revert it, or update the request");
  expect((await ed.delete(`/api/images/${name}/files/entry?path=/etc/not-reviewed.conf`)).status()).toBe(200);
  await edPage.getByTestId("request-pack").click();
  await expect(edPage.getByTestId("job-progress")).toHaveAttribute("data-state", "succeeded", { timeout: 90_000 });
  await expect(edPage.getByTestId("request-page")).toHaveAttribute("data-state", "packed");
  await expect(edPage.getByTestId("request-packed-version")).toBeVisible();

  // Deploying from the request: its packed version is preselected, and the plan names the request (checked
  // only, on a test host of this spec's own: nothing boots).
  const host = `th-rv-${id}`;
  expect((await adminApi.post("/api/test-hosts", { data: { name: host, image: name } })).status()).toBe(201);
  await edPage.getByTestId("request-deploy-version").click();
  await expect(edPage.getByTestId("deploy-image")).toHaveValue(name);
  const packedSeq = await edPage.getByTestId("deploy-version").inputValue();
  expect(Number(packedSeq)).toBeGreaterThan(0);
  await edPage.locator(`[data-testid=test-host-row][data-host="${host}"]`).getByTestId("pick-test-host").check();
  await edPage.getByTestId("deploy-check").click();
  await expect(edPage.getByTestId("confirm-version")).toContainText(`#${packedSeq}`);
  await expect(edPage.getByTestId("confirm-request")).toHaveText(`change request #${id}`);
  expect((await adminApi.delete(`/api/test-hosts/${host}`)).status()).toBe(200);
  await expect(edPage.getByTestId("confirm-request")).toHaveText(`change request #${id}`);
  await edPage.goto(`/requests/${id}`);

  // The versions list links the new version to the request.
  await edPage.goto(`/images/${name}`);
  await expect(edPage.locator('[data-testid="version-row"][data-live="true"] [data-testid="version-request"]')).toHaveText(
    `change request #${id}`,
  );

  // The history has the versions, the request's steps and the command, filterable by kind and user.
  await edPage.goto(`/images/${name}/history`);
  await expect(edPage.locator('[data-testid="history-entry"][data-kind="request"]')).toHaveCount(5); // create, request changes, update, approve, pack
  await expect(edPage.locator('[data-testid="history-entry"][data-kind="command"]')).toContainText("mkdir -p /etc/review");
  await edPage.getByTestId("history-user").selectOption(reviewer.username);
  await expect(edPage.getByTestId("history-entry")).toHaveCount(2);
  await edPage.getByTestId("history-user").selectOption("");
  await expect(edPage.locator('[data-testid="history-entry"][data-kind="request"]')).toHaveCount(5);
  await edPage.getByTestId("history-kind").selectOption("version");
  await expect(edPage.locator('[data-testid="history-entry"]:not([data-kind="version"])')).toHaveCount(0);
  await expect(edPage.getByTestId("history-entry")).toHaveCount(2); // the imported archive and the pack

  // Any two versions compared from their archives: the motd diff between the imported version and the pack.
  await edPage.getByTestId("compare-run").click();
  const compare = edPage.getByTestId("version-compare");
  await expect(compare.locator('[data-testid="compare-row"][data-path="/etc/motd"]')).toHaveAttribute("data-kind", "content");
  await expect(compare.locator('[data-testid="compare-row"][data-path="/etc/hostname"]')).toHaveAttribute("data-kind", "metadata");
  await compare.locator('[data-testid="compare-row"][data-path="/etc/motd"] [data-testid="compare-open"]').click();
  await expect(compare.locator(".monaco-diff-editor .editor.modified")).toContainText("Maintenance window: Sunday 02:00 UTC");
  await rev.dispose();
  await ed.dispose();
  await edCtx.close();
  await revCtx.close();
});

test("a viewer sees a request but has no controls and gets 403; an admin's policy refuses a pack without an approved request", async ({
  page,
  adminApi,
}) => {
  const { name } = await newImage(adminApi, "reviewview", { unpacked: true });
  const editor = await createUser(adminApi, "editor");
  const viewer = await createUser(adminApi, "viewer");
  const ed = await apiAs(editor);
  await saveText(ed, name, "/etc/motd", (t) => `${t}viewer test\n`);
  const created = await ed.post("/api/requests", { data: { image: name, title: "for the viewer", description: "" } });
  expect(created.status()).toBe(201);
  const { id } = await created.json();

  const vw = await apiAs(viewer);
  expect((await vw.post(`/api/requests/${id}/comments`, { data: { body: "hi" } })).status()).toBe(403);
  expect((await vw.post(`/api/requests/${id}/transition`, { data: { action: "approve" } })).status()).toBe(403);
  await uiLogin(page, viewer);
  await page.goto(`/requests/${id}`);
  await expect(page.getByTestId("request-page")).toHaveAttribute("data-state", "submitted");
  await expect(page.getByTestId("request-item")).toHaveCount(1);
  await expect(page.getByTestId("request-actions")).toHaveCount(0);
  await expect(page.getByTestId("request-comment-body")).toHaveCount(0);
  await expect(page.getByTestId("item-comment-file")).toHaveCount(0);

  // Packing needs approval once an admin says so; the refusal says what to do.
  expect(
    (
      await adminApi.put(`/api/images/${name}/review-policy`, { data: { packRequiresApproval: true, deployRequiresApproval: true } })
    ).status(),
  ).toBe(200);
  const refused = await ed.post(`/api/images/${name}/pack`, { data: { method: "own" } });
  expect(refused.status()).toBe(409);
  const body = await refused.json();
  expect(body.error.reason).toBe("approval-required");
  expect(body.error.message).toMatch(/Submit the pending changes as a change request/);
  await vw.dispose();
  await ed.dispose();
});
