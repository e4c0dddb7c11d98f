// The errors page end to end: the seed's table first, search across systems and languages,
// an entry with CPython's own line, the OSError tree, and screenshots.
import { expect, test } from "@playwright/test";
import { chooseLang, expectConnected, pageUrl, screenshotMatrix, watchErrors } from "./helpers";

function python(source: string): string {
  const { spawnSync } = require("node:child_process");
  return spawnSync("python3", ["-c", source], { encoding: "utf8" }).stdout.trim();
}

test("the seed's five first, search by Windows number and by Chinese words, entries as Python prints them", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/errors"));
  await expectConnected(page);
  await expect(page.locator("[data-testid=err-table] tbody tr").first()).toHaveAttribute("data-name", "EAGAIN");
  const names = await page.locator("[data-testid=err-table] tbody tr").evaluateAll((rows) =>
    rows.slice(0, 5).map((r) => r.getAttribute("data-name")),
  );
  expect(names).toEqual(["EAGAIN", "EADDRINUSE", "ECONNRESET", "ETIMEDOUT", "ECONNREFUSED"]);
  await page.getByTestId("err-search").fill("10061");
  await expect(page.locator('[data-testid=err-table] tr[data-name="ECONNREFUSED"]')).toBeVisible();
  await page.locator('tr[data-name="ECONNREFUSED"] button').click();
  const want = python("import os\ne = ConnectionRefusedError(111, os.strerror(111))\nprint(f'{type(e).__name__}: {e}')");
  await expect(page.getByTestId("err-line")).toHaveText(want);
  await chooseLang(page, "zh-CN");
  await page.getByTestId("err-search").fill("拒绝");
  await expect(page.locator('[data-testid=err-table] tr[data-name="ECONNREFUSED"]')).toBeVisible();
  await expect(page.getByTestId("err-entry")).toContainText("常见原因");
  await page.reload();
  await expect(page.getByTestId("err-entry")).toHaveAttribute("data-name", "ECONNREFUSED");
  // The tree: ConnectionError's children carry their errnos.
  await page.getByTestId("err-tree").getByRole("button", { name: "EPIPE" }).click();
  await expect(page.getByTestId("err-line")).toHaveText(
    python("import os, errno\ne = OSError(errno.EPIPE, os.strerror(errno.EPIPE))\nprint(f'{type(e).__name__}: {e}')"),
  );
  // The entry links to the lesson where it happens, opened where it happens.
  const lesson = page.getByTestId("err-lessons").getByRole("link");
  await expect(lesson).toHaveText("阻塞调用与关闭连接：被重置的连接");
  await lesson.click();
  await expect(page).toHaveURL(/\/live\?close=reset$/);
  await expect(page.getByTestId("close-reset")).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("scenario-epipe")).toBeVisible();
  // Back returns to the entry the link came from, without a reload.
  await page.goBack();
  await expect(page).toHaveURL(/\/errors\?(.*&)?e=EPIPE/);
  await expect(page.getByTestId("err-entry")).toHaveAttribute("data-name", "EPIPE");
  watch.expectNone();
});

test("screenshots of the errors page: zh and en, light and dark, 1280 and 390 px", async ({ browser }) => {
  await screenshotMatrix(browser, "errors", "/errors?e=ECONNREFUSED");
});

test("ETIMEDOUT is reproduced for real: the kernel's own [Errno 110], not settimeout's", async ({ page }) => {
  await page.goto(pageUrl("/errors?e=ETIMEDOUT"));
  await expectConnected(page);
  const scenario = page.getByTestId("scenario-etimedout_connect");
  await scenario.getByTestId("scenario-etimedout_connect-run").click();
  const transcript = scenario.getByTestId("scenario-transcript");
  await expect(transcript).toContainText("TimeoutError: [Errno 110] Connection timed out", { timeout: 15_000 });
  await expect(transcript).toContainText("TCP_USER_TIMEOUT");
  // settimeout's TimeoutError (no errno) belongs to the timeout lesson, not to this entry.
  await expect(page.getByTestId("scenario-etimedout")).toHaveCount(0);
  // EADDRINUSE: the TIME_WAIT restart, failing without SO_REUSEADDR on the first server, then working.
  await page.goto(pageUrl("/errors?e=EADDRINUSE"));
  const inuse = page.getByTestId("scenario-eaddrinuse");
  await inuse.getByTestId("scenario-eaddrinuse-run").click();
  const steps = inuse.getByTestId("scenario-transcript");
  await expect(steps.locator(".step-out.py-err")).toHaveText([/OSError: \[Errno 98\] Address already in use$/]);
  await expect(steps).toContainText("both have SO_REUSEADDR: the restart works");
});
