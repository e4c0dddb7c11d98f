// Presenter mode end to end: the ?present=1 flag and the header's toggle, large type at
// 1920×1080, the reduced navigation, the flag kept across navigation, state changes and a
// reload, and the arrow keys stepping through each page's examples.
import { expect, Page, test } from "@playwright/test";
import { pageUrl, watchErrors } from "./helpers";

/**
 * Opens a page in presenter mode and waits until the app has rendered it and run its effects
 * (the `data-present` mark on <html> is one): the arrow keys' listener is registered by an
 * effect, and the first render waits for the reader's catalog, after the page's load event.
 */
async function present(page: Page, path: string) {
  await page.goto(pageUrl(path));
  await expect(page.locator("html")).toHaveAttribute("data-present", "1");
  await expect(page.locator("h1")).toBeVisible();
}

test.use({ viewport: { width: 1920, height: 1080 } });

const px = (page: Page, selector: string) =>
  page.locator(selector).first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize));

const presentFlag = (page: Page) => new URL(page.url()).searchParams.get("present");

test("?present=1: large type, the page and its neighbours, kept while navigating", async ({ page }) => {
  const watch = watchErrors(page);
  await present(page, "/struct?present=1");
  const toggle = page.getByTestId("present-toggle");
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
  expect(await px(page, "body")).toBeGreaterThanOrEqual(28);
  expect(await px(page, ".lede")).toBeGreaterThanOrEqual(28);
  expect(await px(page, ".py")).toBeGreaterThanOrEqual(28);
  expect(await px(page, ".cell-hex")).toBeGreaterThanOrEqual(28);
  // The navigation: the page before, this one, the page after.
  const nav = page.locator("nav.topics a");
  await expect(nav).toHaveCount(3);
  expect(await nav.evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual([
    "/byte-order",
    "/struct",
    "/text",
  ]);
  await expect(page.locator("footer.foot")).toBeHidden();
  // A state change keeps the flag beside the page's own query.
  await page.getByTestId("st-format").fill("<q");
  await expect.poll(() => new URL(page.url()).searchParams.get("fmt")).toBe("<q");
  expect(presentFlag(page)).toBe("1");
  // Navigating keeps it; so does a reload.
  await nav.last().click();
  await expect(page).toHaveURL(/\/text\?(.*&)?present=1/);
  await expect(page.locator("nav.topics a")).toHaveCount(3);
  await page.reload();
  await expect(page.getByTestId("present-toggle")).toHaveAttribute("aria-pressed", "true");
  // Back to the struct page: its state came back, presenting still.
  await page.goBack();
  await expect(page.getByTestId("st-format")).toHaveValue("<q");
  expect(presentFlag(page)).toBe("1");
  // The toggle turns it off: ordinary type, every page in the navigation, no flag.
  await page.getByTestId("present-toggle").click();
  await expect(page.getByTestId("present-toggle")).toHaveAttribute("aria-pressed", "false");
  expect(await px(page, "body")).toBe(16);
  await expect(page.locator("nav.topics a")).toHaveCount(8);
  expect(presentFlag(page)).toBeNull();
  expect(new URL(page.url()).searchParams.get("fmt")).toBe("<q");
  // And on again from the header.
  await page.getByTestId("present-toggle").click();
  await expect.poll(() => presentFlag(page)).toBe("1");
  expect(await px(page, "body")).toBeGreaterThanOrEqual(28);
  watch.expectNone();
});

test("arrow keys step through a page's examples, not while typing, and only when presenting", async ({
  page,
}) => {
  const watch = watchErrors(page);
  // struct: the presets.
  await present(page, "/struct?present=1");
  const format = page.getByTestId("st-format");
  await expect(format).toHaveValue(">H");
  await page.keyboard.press("ArrowRight");
  await expect(format).toHaveValue(">H50s6s");
  await page.keyboard.press("ArrowRight");
  await expect(format).toHaveValue("@bhiq");
  await page.keyboard.press("ArrowLeft");
  await expect(format).toHaveValue(">H50s6s");
  expect(presentFlag(page)).toBe("1");
  // In a text field the arrows move the caret, nothing else.
  await format.focus();
  await page.keyboard.press("ArrowRight");
  await expect(format).toHaveValue(">H50s6s");
  // byte order: the widths.
  await present(page, "/byte-order?present=1");
  await expect(page.getByTestId("width-2")).toHaveAttribute("aria-pressed", "true");
  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("width-4")).toHaveAttribute("aria-pressed", "true");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByTestId("width-1")).toHaveAttribute("aria-pressed", "true");
  // errors: the guide's five, opened in turn.
  await present(page, "/errors?present=1");
  await expect(page.getByTestId("err-table")).toBeVisible();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("err-entry")).toHaveAttribute("data-name", "EAGAIN");
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByTestId("err-entry")).toHaveAttribute("data-name", "ECONNREFUSED");
  // hostnames: the rows of the guide's table.
  await present(page, "/hostnames?present=1");
  await expect(page.locator('[data-testid="host-table"] tr.current')).toHaveAttribute("data-row", "0");
  await page.keyboard.press("ArrowRight");
  await expect(page.locator('[data-testid="host-table"] tr.current')).toHaveAttribute("data-row", "1");
  // console: its examples, loaded into the panes (not run).
  await present(page, "/console?present=1");
  await expect(page.getByTestId("present-keys")).toHaveText("← and → step through this page's examples");
  await expect(page.getByTestId("console-examples")).toBeVisible();
  await page.keyboard.press("ArrowRight");
  await expect.poll(() => new URL(page.url()).searchParams.get("p1")).toContain("srv.bind(('127.0.0.1', 20007))");
  await page.keyboard.press("ArrowRight");
  await expect.poll(() => new URL(page.url()).searchParams.get("p1")).toContain("('127.0.0.1', 20008)");
  expect(presentFlag(page)).toBe("1");
  // Not presenting: the arrows do nothing.
  await page.goto(pageUrl("/struct"));
  await expect(page.getByTestId("st-format")).toHaveValue(">H");
  await page.keyboard.press("ArrowRight");
  await expect(page.getByTestId("st-format")).toHaveValue(">H");
  watch.expectNone();
});
