// The app's two builds (issue #15's transfer budget): index.html's loader gives the console and
// the live lessons (core's FULL_APP_PATHS) the full build, and every other page the lite one.
// Each build leaves the other's pages out and opens them with a page load. Each page loads one
// build, never both, and never loops.
import { expect, Page, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { catalog, chooseLang, expectConnected, pageUrl, root, routes, watchErrors } from "./helpers";

/** core's FULL_APP_PATHS, read from its source. */
function fullPaths(): string[] {
  const source = readFileSync(join(root, "crates", "core", "src", "protocol", "link.rs"), "utf8");
  const list = /pub const FULL_APP_PATHS: \[&str; \d+\] = \[([^\]]*)\]/.exec(source);
  expect(list, "link.rs has FULL_APP_PATHS").not.toBeNull();
  return [...list![1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

/** The app's wasm files this page asked for, by build. */
function watchWasm(page: Page) {
  const asked: string[] = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith(".wasm")) asked.push(/^\/socklab-lite-/.test(path) ? "lite" : /^\/socklab-app-/.test(path) ? "full" : path);
  });
  return asked;
}

/** Counts the page's document loads (not its in-app navigations, which change only the URL). */
function watchLoads(page: Page) {
  let loads = 0;
  page.on("domcontentloaded", () => (loads += 1));
  return () => loads;
}

test("every page loads one build: the full one for the console and the live lessons, the lite one elsewhere", async ({ page }) => {
  const full = fullPaths();
  expect(full).toEqual(["/live", "/hostnames", "/console"]);
  const watch = watchErrors(page);
  for (const path of routes()) {
    const build = full.includes(path) ? "full" : "lite";
    const wasm = watchWasm(page);
    await page.goto(pageUrl(path));
    await expect(page.locator("html"), path).toHaveAttribute("data-build", build);
    await expect(page.locator("h1"), path).toBeVisible();
    await expect(page.getByTestId("other-build"), path).toHaveCount(0);
    await page.waitForLoadState("networkidle");
    expect(wasm, `${path} loads the ${build} build's wasm, once`).toEqual([build]);
    page.removeAllListeners("request");
  }
  // With a trailing slash, the same build.
  await page.goto(pageUrl("/console/"));
  await expect(page.locator("html")).toHaveAttribute("data-build", "full");
  await expect(page.getByTestId("console-input-1")).toBeVisible();
  watch.expectNone();
});

test("a lite page opens the console with one page load, the console a lite page with another; each build moves in place among its own pages, and Back works", async ({ page }) => {
  const watch = watchErrors(page);
  const loads = watchLoads(page);
  await page.goto(pageUrl("/struct?fmt=%3EH&args=1"));
  await expectConnected(page);
  await expect(page.locator("html")).toHaveAttribute("data-build", "lite");
  expect(loads()).toBe(1);

  await page.locator('nav a[href="/console"]').click();
  await expect(page).toHaveURL(/\/console$/);
  await expect(page.locator("html")).toHaveAttribute("data-build", "full");
  await expectConnected(page);
  // It runs: the console's evaluator is the full build's.
  const input = page.getByTestId("console-input-1");
  await input.fill("import struct");
  await input.press("Enter");
  await input.fill("struct.pack('>H', 1)");
  await input.press("Enter");
  await expect(page.getByTestId("console-transcript-1")).toContainText("b'\\x00\\x01'");
  await page.waitForTimeout(300);
  expect(loads(), "one page load to the console, no more").toBe(2);

  // Among the full build's own pages, no page load.
  await page.evaluate(() => ((window as any).sameDocument = true));
  await page.locator('nav a[href="/live"]').click();
  await expect(page).toHaveURL(/\/live$/);
  await expect(page.locator("h1")).toBeVisible();
  expect(await page.evaluate(() => (window as any).sameDocument)).toBe(true);
  expect(loads()).toBe(2);

  // A lite page: one page load, to the lite build.
  await page.locator('nav a[href="/text"]').click();
  await expect(page).toHaveURL(/\/text$/);
  await expect(page.locator("html")).toHaveAttribute("data-build", "lite");
  await expect(page.getByTestId("text-input")).toBeVisible();
  expect(loads(), "one page load back to the lite build").toBe(3);
  await page.goBack();
  await expect(page).toHaveURL(/\/live(\?|$)/);
  await expect(page.locator("html")).toHaveAttribute("data-build", "full");
  await page.goBack();
  await expect(page).toHaveURL(/\/console(\?|$)/);
  await expect(page.getByTestId("console-input-1")).toBeVisible();

  // Back to the lite page the reader came from, its state in its link.
  await page.goBack();
  await expect(page).toHaveURL(/\/struct\?/);
  await expect(page.locator("html")).toHaveAttribute("data-build", "lite");
  await expect(page.getByTestId("st-format")).toHaveValue(">H");
  watch.expectNone();
});

test("every page shows its texts, not a key, in both languages: the lite build's catalog files have all it names", async ({ page }) => {
  // A key a catalog lacks shows as itself (core's Catalog::get), so a page that names a text of
  // the full build's files while the lite build loaded it would show the key.
  const keys = [...catalog("en").keys()];
  const watch = watchErrors(page);
  for (const lang of ["en", "zh-CN"] as const) {
    await page.goto(pageUrl("/byte-order"));
    await chooseLang(page, lang);
    for (const path of routes()) {
      await page.goto(pageUrl(path));
      await expect(page.locator("h1"), path).toBeVisible();
      await expect(page.locator("html"), path).toHaveAttribute("lang", lang);
      const text = await page.locator("body").innerText();
      const shown = keys.filter((k) => text.includes(k));
      expect(shown, `${path} in ${lang} shows keys`).toEqual([]);
    }
  }
  watch.expectNone();
});
