// The app's three builds (issue #15's transfer budget; core's `builds`): index.html's loader gives
// the console the console build, the live lessons the live build, and every other page the lite
// one. Each build leaves the others' pages out and opens them with a page load. Each page loads
// one build, never two, and never loops.
import { expect, Page, test } from "@playwright/test";
import { catalog, chooseLang, expectConnected, pageUrl, routes, serverUrl, watchErrors } from "./helpers";

type Build = "lite" | "console" | "live";

/** The pages of the builds but the lite one, as index.html's loader has them (post-build writes them from core's `builds`). */
async function buildPages(page: Page): Promise<Record<string, Build>> {
  const index = await (await page.request.get(serverUrl())).text();
  const builds = /const builds = (\{.*\});/.exec(index);
  expect(builds, "index.html names the builds").not.toBeNull();
  return JSON.parse(builds![1]).pages;
}

/** The app's wasm files this page asked for, by build. */
function watchWasm(page: Page) {
  const asked: string[] = [];
  const builds: [RegExp, Build][] = [
    [/^\/socklab-lite-/, "lite"],
    [/^\/socklab-app-/, "console"],
    [/^\/socklab-live-/, "live"],
  ];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith(".wasm")) asked.push(builds.find(([re]) => re.test(path))?.[1] ?? path);
  });
  return asked;
}

/** Counts the page's document loads (not its in-app navigations, which change only the URL). */
function watchLoads(page: Page) {
  let loads = 0;
  page.on("domcontentloaded", () => (loads += 1));
  return () => loads;
}

test("every page loads one build: the console build for the console, the live build for the live lessons, the lite one elsewhere", async ({ page }) => {
  const pages = await buildPages(page);
  expect(pages).toEqual({ "/console": "console", "/live": "live" });
  const watch = watchErrors(page);
  for (const path of routes()) {
    const build = pages[path] ?? "lite";
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
  await expect(page.locator("html")).toHaveAttribute("data-build", "console");
  await expect(page.getByTestId("console-input-1")).toBeVisible();
  watch.expectNone();
});

test("a page of another build is one page load, a page of the same build opens in place, and Back works across them", async ({ page }) => {
  const watch = watchErrors(page);
  const loads = watchLoads(page);
  await page.goto(pageUrl("/struct?fmt=%3EH&args=1"));
  await expectConnected(page);
  await expect(page.locator("html")).toHaveAttribute("data-build", "lite");
  expect(loads()).toBe(1);

  await page.locator('nav a[href="/console"]').click();
  await expect(page).toHaveURL(/\/console$/);
  await expect(page.locator("html")).toHaveAttribute("data-build", "console");
  await expectConnected(page);
  // It runs: the console's evaluator is in the console build.
  const input = page.getByTestId("console-input-1");
  await input.fill("import struct");
  await input.press("Enter");
  await input.fill("struct.pack('>H', 1)");
  await input.press("Enter");
  await expect(page.getByTestId("console-transcript-1")).toContainText("b'\\x00\\x01'");
  await page.waitForTimeout(300);
  expect(loads(), "one page load to the console, no more").toBe(2);

  // The live lessons: the live build, one page load.
  await page.locator('nav a[href="/live"]').click();
  await expect(page).toHaveURL(/\/live$/);
  await expect(page.locator("html")).toHaveAttribute("data-build", "live");
  await expect(page.locator("h1")).toBeVisible();
  expect(loads(), "one page load to the live lessons").toBe(3);

  // A lite page: one page load, to the lite build.
  await page.locator('nav a[href="/text"]').click();
  await expect(page).toHaveURL(/\/text$/);
  await expect(page.locator("html")).toHaveAttribute("data-build", "lite");
  await expect(page.getByTestId("text-input")).toBeVisible();
  expect(loads(), "one page load back to the lite build").toBe(4);

  // Among the lite build's own pages (the hostnames page is one), no page load.
  await page.evaluate(() => ((window as any).sameDocument = true));
  await page.locator('nav a[href="/hostnames"]').click();
  await expect(page).toHaveURL(/\/hostnames$/);
  await expect(page.locator("h1")).toBeVisible();
  expect(await page.evaluate(() => (window as any).sameDocument)).toBe(true);
  expect(loads()).toBe(4);

  await page.goBack();
  await expect(page).toHaveURL(/\/text(\?|$)/);
  await page.goBack();
  await expect(page).toHaveURL(/\/live(\?|$)/);
  await expect(page.locator("html")).toHaveAttribute("data-build", "live");
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

test("every page shows its texts, not a key, in both languages: each build's catalog files have all it names", async ({ page }) => {
  // A key a catalog lacks shows as itself (core's Catalog::get), so a page that names a text of
  // another build's file would show the key.
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
