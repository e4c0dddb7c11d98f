// The QR code of the page's link: drawn by the app, opened large from the header, and read
// back from a screenshot with a real QR decoder (jsQR), which must find the page's address.
import { expect, Page, test } from "@playwright/test";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { chooseLang, pageUrl, watchErrors } from "./helpers";

/** Opens the QR dialog and decodes the code it shows, from pixels. */
async function decodeShownQr(page: Page): Promise<string> {
  await page.getByTestId("qr-open").click();
  const code = page.getByTestId("qr-code");
  await expect(code).toBeVisible();
  const png = PNG.sync.read(await code.screenshot());
  const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(found, "jsQR found no QR code in the screenshot").not.toBeNull();
  return found!.data;
}

test("the QR code holds the page's address, state included", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/struct"));
  await page.getByTestId("preset-network").click();
  await expect.poll(() => new URL(page.url()).searchParams.get("fmt")).toBe("!BBHHHBBH4s4s");
  expect(await decodeShownQr(page)).toBe(page.url());
  await expect(page.getByTestId("qr-link")).toHaveText(page.url());
  // Escape closes the dialog and focus returns to the button.
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("qr-dialog")).toBeHidden();
  await expect(page.getByTestId("qr-open")).toBeFocused();
  // Another page, another state: the code follows the address bar.
  await page.goto(pageUrl("/text"));
  await chooseLang(page, "zh-CN");
  await page.getByTestId("guess-preset").nth(2).click();
  await expect(page).toHaveURL(/[?&]g=/);
  expect(await decodeShownQr(page)).toBe(page.url());
  await expect(page.getByTestId("qr-dialog").locator("h2")).toHaveText("用手机打开这一页");
  await page.getByTestId("qr-close").click();
  await expect(page.getByTestId("qr-dialog")).toBeHidden();
  watch.expectNone();
});

test("a presenter's QR code leaves out the presenter flag, and is large at 1920 px", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  await page.goto(pageUrl("/byte-order?v=0x1234&present=1"));
  await expect(page.getByTestId("present-toggle")).toHaveAttribute("aria-pressed", "true");
  const decoded = await decodeShownQr(page);
  const expected = new URL(page.url());
  expect(expected.searchParams.get("present")).toBe("1");
  expected.searchParams.delete("present");
  expect(decoded).toBe(expected.toString());
  const box = (await page.getByTestId("qr-code").boundingBox())!;
  expect(box.height).toBeGreaterThanOrEqual(700);
  // The link under it is on screen too, not scrolled away.
  await expect(page.getByTestId("qr-link")).toBeInViewport({ ratio: 1 });
  await page.screenshot({ path: "tests/e2e/screenshots/qr-present-1920.png" });
  await context.close();
});
