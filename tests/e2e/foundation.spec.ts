// The foundation, end to end: shell, companion link, languages, URL state, themes, byte order.
import { expect, test } from "@playwright/test";
import { catalog, chooseLang, expectConnected, pageUrl, proseText, screenshotMatrix, serverUrl, watchErrors } from "./helpers";

const packCall = (fmt: string, v: string) => `.pycall[data-code="struct.pack('${fmt}', ${v})"] [data-testid="py-result"]`;

test("loads without console errors and connects to the companion", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(serverUrl());
  await expectConnected(page);
  await expect(page.getByTestId("companion-status")).toContainText(/socklab \d+\.\d+\.\d+/);
  // The token left the address bar, and the page moved to its topic path.
  await expect(page).toHaveURL(/\/byte-order$/);
  await page.waitForTimeout(300);
  watch.expectNone();
});

test("the byte-order calculator shows b'\\x01\\x00' for 256 as >H", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/byte-order?v=1&w=8"));
  await page.getByTestId("bo-value").fill("256");
  await page.getByTestId("width-2").click();
  await expect(page.getByTestId("bo-signed")).not.toBeChecked();
  await expect(page.locator(packCall(">H", "256"))).toHaveText("b'\\x01\\x00'");
  await expect(page.locator(packCall("<H", "256"))).toHaveText("b'\\x00\\x01'");
  await expect(page.locator('[data-testid="swap-htons"]')).toContainText("socket.htons(256)");
  await expect(page.locator('[data-testid="swap-htons"] .py-out')).toHaveText("1");
  watch.expectNone();
});

test("errors are CPython's, with an explanation", async ({ page }) => {
  await page.goto(pageUrl("/byte-order"));
  await page.getByTestId("bo-value").fill("70000");
  await expect(page.locator(packCall(">H", "70000"))).toContainText(
    "struct.error: 'H' format requires 0 <= number <= 65535",
  );
  await expect(page.locator('[data-testid="swap-htons"] .py-err')).toHaveText(
    "OverflowError: htons: Python int too large to convert to C 16-bit unsigned integer",
  );
  await page.getByTestId("bo-value").fill("0x");
  await expect(page.getByTestId("py-error").first()).toHaveText("SyntaxError: invalid hexadecimal literal");
  await expect(page.locator(".pyerror .hint")).toContainText("0x7f");
});

test("a reload with the state in the URL restores it", async ({ page }) => {
  await page.goto(pageUrl("/byte-order"));
  await expectConnected(page);
  await page.getByTestId("bo-value").fill("-2");
  await page.getByTestId("width-4").click();
  await page.getByTestId("bo-signed").check();
  await expect(page).toHaveURL(/v=-2/);
  await expect(page).toHaveURL(/w=4/);
  const shared = page.url();
  expect(shared).not.toContain("token=");
  await page.reload();
  await expect(page.getByTestId("bo-value")).toHaveValue("-2");
  await expect(page.getByTestId("width-4")).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("bo-signed")).toBeChecked();
  await expect(page.locator(packCall(">i", "-2"))).toHaveText("b'\\xff\\xff\\xff\\xfe'");
  // The shared link alone (no token in it) restores the same page in a fresh tab.
  const fresh = await page.context().newPage();
  await fresh.goto(shared);
  await expect(fresh.locator(packCall(">i", "-2"))).toHaveText("b'\\xff\\xff\\xff\\xfe'");
  await expectConnected(fresh);
});

test("switching language changes every visible string, and a reload keeps it", async ({ page }) => {
  const en = catalog("en");
  const zh = catalog("zh-CN");
  // Strings that differ between the catalogs; placeholders are filled in, so compare the
  // fixed text only.
  const foreign = (from: Map<string, string>, to: Map<string, string>) =>
    [...from.entries()]
      .filter(([k, v]) => to.get(k) !== v && !v.includes("{"))
      .map(([, v]) => v.replace(/\\n/g, "\n").replace(/`/g, ""));
  const watch = watchErrors(page);
  await page.goto(pageUrl("/byte-order"), { waitUntil: "networkidle" });
  await chooseLang(page, "en");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.locator("h1")).toHaveText(en.get("bo.title")!);
  const englishText = await proseText(page);
  expect(englishText).toContain(en.get("bo.lede")!);

  await chooseLang(page, "zh-CN");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.locator("h1")).toHaveText(zh.get("bo.title")!);
  let text = await proseText(page);
  for (const s of foreign(en, zh)) expect(text, `English left on the Chinese page: ${s}`).not.toContain(s);
  expect(text).toContain(zh.get("bo.lede")!);

  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.locator("h1")).toHaveText(zh.get("bo.title")!);
  await expect(page).toHaveTitle(/字节序/);

  await chooseLang(page, "en");
  text = await proseText(page);
  for (const s of foreign(zh, en)) expect(text, `Chinese left on the English page: ${s}`).not.toContain(s);
  watch.expectNone();
});

test("the theme follows the system and the toggle overrides and is remembered", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto(pageUrl("/byte-order"));
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await expect.poll(bg).toBe("rgb(15, 19, 24)");
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await expect.poll(bg).toBe("rgb(246, 247, 249)");
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await expect.poll(bg).toBe("rgb(246, 247, 249)");
});

test("screenshots: zh and en, light and dark, 1280 and 390 px, nothing overflowing", async ({ browser }) => {
  await screenshotMatrix(browser, "byte-order", "/byte-order", async (page) => {
    await page.getByTestId("bo-value").fill("256");
  });
});
