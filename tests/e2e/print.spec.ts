// Printing: a page prints as a handout, with no header, navigation or footer, its results in
// full (a long live transcript is not cut at its scroll height), dark text on white whatever
// the theme, in the chosen language; and Chromium makes a PDF of it.
import { expect, test } from "@playwright/test";
import { mkdirSync, readFileSync } from "node:fs";
import { catalog, chooseLang, expectConnected, pageUrl, watchErrors } from "./helpers";

test("a page prints as a clean handout in the chosen language", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "dark", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const watch = watchErrors(page);
  await page.goto(pageUrl("/errors?e=EADDRINUSE"));
  await chooseLang(page, "zh-CN");
  await expectConnected(page);
  const scenario = page.getByTestId("scenario-eaddrinuse");
  await scenario.getByTestId("scenario-eaddrinuse-run").click();
  const transcript = scenario.getByTestId("scenario-transcript");
  await expect(transcript).toContainText("SO_REUSEADDR");
  // On screen the transcript scrolls (it is longer than its box), the header and nav show.
  const clipped = await transcript.evaluate((e) => e.scrollHeight - e.clientHeight);
  expect(clipped, "the screen's transcript should scroll, or this test proves nothing").toBeGreaterThan(0);
  await expect(page.locator("nav.topics")).toBeVisible();
  await expect(page.getByTestId("err-close")).toBeVisible();

  await page.emulateMedia({ media: "print" });
  // The entry's Close button does nothing on paper.
  for (const hidden of ["header.top", "nav.topics", "footer.foot", '[data-testid="scenario-eaddrinuse-run"]', '[data-testid="err-close"]']) {
    await expect(page.locator(hidden), hidden).toBeHidden();
  }
  const title = catalog("zh-CN").get("err.title")!;
  await expect(page.locator("h1")).toHaveText(title);
  await expect(page.getByTestId("err-entry")).toBeVisible();
  await expect(transcript).toBeVisible();
  expect(await transcript.evaluate((e) => e.scrollHeight - e.clientHeight)).toBeLessThanOrEqual(1);
  // Dark theme on screen, black on white on paper.
  const colors = await page.evaluate(() => ({
    text: getComputedStyle(document.body).color,
    page: getComputedStyle(document.body).backgroundColor,
  }));
  expect(colors).toEqual({ text: "rgb(0, 0, 0)", page: "rgb(255, 255, 255)" });
  expect(await page.evaluate(() => document.documentElement.lang)).toBe("zh-CN");

  mkdirSync("tests/e2e/screenshots", { recursive: true });
  const path = "tests/e2e/screenshots/print-errors-zh-CN.pdf";
  await page.pdf({ path, format: "A4", printBackground: true });
  const pdf = readFileSync(path);
  expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
  expect(pdf.length).toBeGreaterThan(20_000);
  await page.screenshot({ path: "tests/e2e/screenshots/print-errors-zh-CN.png", fullPage: true });
  // Back on screen, everything is there again.
  await page.emulateMedia({ media: "screen" });
  await expect(page.locator("nav.topics")).toBeVisible();
  watch.expectNone();
  await context.close();
});
