// The text-encodings page end to end, against CPython's own answers, and screenshots.
import { expect, test } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { chooseLang, expectConnected, pageUrl, screenshotMatrix, watchErrors } from "./helpers";

/** What CPython prints for repr(expr), or the last line of its traceback. */
function python(expr: string): string {
  const { spawnSync } = require("node:child_process");
  const run = spawnSync("python3", ["-c", `print(repr(${expr}))`], { encoding: "utf8" });
  return run.status === 0 ? run.stdout.trim() : run.stderr.trim().split("\n").pop();
}

test("Chinese text in every codec, and a decode error exactly as CPython words it", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/text"));
  await expectConnected(page);
  await page.getByTestId("text-input").fill("中文");
  await page.getByTestId("text-codec").selectOption("ascii");
  await expect(page.getByTestId("text-encode-call").getByTestId("py-result")).toContainText(
    python("'中文'.encode('ascii')"),
  );
  await page.getByTestId("text-codec").selectOption("utf-16");
  await expect(page.getByTestId("text-encode-call").getByTestId("py-result")).toHaveText(
    python("'中文'.encode('utf-16')"),
  );
  await expect(page.locator('[data-testid=text-totals] li[data-codec="utf-8"] strong')).toHaveText("6");
  // On a wide screen each codec's bytes sit in their own column, side by side.
  const row = page.locator("[data-testid=text-chars] tbody tr").first();
  await expect(row.locator('td[data-label="gbk"]')).toHaveText("d6 d0");
  const utf8 = (await row.locator('td[data-label="utf-8"]').boundingBox())!;
  const gbk = (await row.locator('td[data-label="gbk"]').boundingBox())!;
  expect(gbk.y).toBe(utf8.y);
  expect(gbk.x).toBeGreaterThanOrEqual(utf8.x + utf8.width - 1);
  await page.getByTestId("text-data").fill("e4 b8");
  await expect(page.getByTestId("text-decode-call").getByTestId("py-result")).toContainText(
    python("b'\\xe4\\xb8'.decode('utf-8')"),
  );
  await page.getByTestId("text-derrors").selectOption("replace");
  await expect(page.getByTestId("text-decode-call").getByTestId("py-result")).toHaveText(
    python("b'\\xe4\\xb8'.decode('utf-8', 'replace')"),
  );
  await page.reload();
  await expect(page.getByTestId("text-data")).toHaveValue("e4 b8");
  watch.expectNone();
});

test("a lone surrogate, which only a str literal can hold, fails to encode as CPython says", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/text"));
  await page.getByTestId("text-example").first().click();
  await expect(page.getByTestId("text-input")).toHaveValue("'a\\ud800b'");
  const result = page.getByTestId("text-encode-call").getByTestId("py-result");
  await expect(result).toContainText(python("'a\\ud800b'.encode('utf-8')"));
  await page.getByTestId("text-codec").selectOption("utf-16-le");
  await expect(result).toContainText(python("'a\\ud800b'.encode('utf-16-le')"));
  await page.getByTestId("text-errors").selectOption("replace");
  await expect(result).toHaveText(python("'a\\ud800b'.encode('utf-16-le', 'replace')"));
  // The surrogate's row shows its escape and no bytes in any UTF codec.
  await expect(page.locator(".glyph.escape")).toHaveText("\\ud800");
  // A broken escape is Python's SyntaxError, to the letter.
  await page.getByTestId("text-input").fill("'中\\u12'");
  await expect(result).toContainText(
    "(unicode error) 'unicodeescape' codec can't decode bytes in position 10-13: truncated \\uXXXX escape",
  );
  watch.expectNone();
});

test("screenshots of the text page: zh and en, light and dark, 1280 and 390 px", async ({ browser }) => {
  await screenshotMatrix(browser, "text", "/text");
});

test("why a receiver cannot guess: the same bytes as UTF-8, GBK and Latin-1, as CPython decodes them", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/text"));
  await expectConnected(page);
  const section = page.getByTestId("text-guess");
  const guesses = section.getByTestId("guess");
  const presets = section.getByTestId("guess-preset");
  await expect(presets).toHaveCount(4);
  for (let k = 0; k < 4; k++) {
    await presets.nth(k).click();
    await expect(presets.nth(k)).toHaveAttribute("aria-pressed", "true");
    const hex = (await section.getByTestId("guess-data").inputValue()).replace(/ /g, "");
    await expect(guesses).toHaveCount(3);
    for (const [i, codec] of ["utf-8", "gbk", "latin-1"].entries()) {
      const call = guesses.nth(i);
      await expect(call.locator(".py-in")).toHaveText(python(`bytes.fromhex('${hex}')`) + `.decode('${codec}')`);
      await expect(call.getByTestId("py-result")).toContainText(python(`bytes.fromhex('${hex}').decode('${codec}')`));
    }
  }
  // 你好 sent as UTF-8, read as GBK: no error, and the wrong text.
  await presets.nth(0).click();
  await expect(guesses.nth(1).getByTestId("py-result")).toHaveText("'浣犲ソ'");
  // Bytes of one's own, kept in the URL.
  await section.getByTestId("guess-data").fill("b'\\xd6\\xd0'");
  await expect(guesses.nth(1).getByTestId("py-result")).toHaveText("'中'");
  await expect(presets.nth(2)).toHaveAttribute("aria-pressed", "false");
  await page.reload();
  await expect(page.getByTestId("guess-data")).toHaveValue("b'\\xd6\\xd0'");
  watch.expectNone();
});

test("screenshots of the encoding-guess comparison, in en and zh", async ({ browser }) => {
  mkdirSync("tests/e2e/screenshots", { recursive: true });
  for (const lang of ["en", "zh-CN"]) {
    for (const width of [1280, 390]) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto(pageUrl("/text"));
      await chooseLang(page, lang);
      await page.getByTestId("guess-preset").nth(1).click();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `horizontal overflow at ${width}px ${lang}`).toBeLessThanOrEqual(0);
      await page.getByTestId("text-guess").screenshot({ path: `tests/e2e/screenshots/text-guess-${lang}-${width}.png` });
      await context.close();
    }
  }
});
