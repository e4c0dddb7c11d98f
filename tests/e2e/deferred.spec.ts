// The data the app leaves out of its wasm and fetches when a page first needs it (core's
// `Deferred`: the errno lessons for /errors, the GBK table for /text and, when a line names
// the codec, the console): not on a first visit elsewhere, once per page life, and when it
// cannot be had the page says why, in the reader's language, and can try again.
import { expect, Page, Request, test } from "@playwright/test";
import { catalog, chooseLang, expectConnected, pageUrl, watchErrors } from "./helpers";

// These tests are about what the page fetches from the server and when; the service worker,
// which keeps every file once it is installed (offline.spec.ts), would answer some of them.
test.use({ serviceWorkers: "block" });

const LESSONS = /\/lessons-[0-9a-f]{16}\.txt$/;
const GBK = /\/gbk-[0-9a-f]{16}\.bin$/;

/** Every data file the page asks for, as it asks. */
function watchData(page: Page) {
  const asked: Request[] = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (LESSONS.test(path) || GBK.test(path)) asked.push(r);
  });
  return {
    paths: () => asked.map((r) => new URL(r.url()).pathname),
    count: (re: RegExp) => asked.filter((r) => re.test(new URL(r.url()).pathname)).length,
  };
}

/** Goes to an in-app route the way a reader does: through the topic links, no reload. */
async function navigate(page: Page, path: string) {
  await page.locator(`nav a[href="${path}"]`).first().click();
  await expect(page).toHaveURL(new RegExp(`${path.replace("/", "\\/")}(\\?|$)`));
}

test("a first visit fetches no data; /errors fetches the lessons and /text the GBK table, once each", async ({ page }) => {
  const watch = watchErrors(page);
  const data = watchData(page);
  await page.goto(pageUrl("/byte-order"));
  await expectConnected(page);
  await expect(page.locator("h1")).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(data.paths(), "the byte-order page needs no deferred data").toEqual([]);

  const lessons = page.waitForResponse((r) => LESSONS.test(new URL(r.url()).pathname));
  await navigate(page, "/errors");
  const response = await lessons;
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toContain("immutable");
  await expect(page.locator('[data-testid=err-table] tbody tr').first()).toHaveAttribute("data-name", "EAGAIN");
  await page.locator('tr[data-name="ECONNREFUSED"] button').click();
  await expect(page.getByTestId("err-entry")).toContainText("Typical causes");

  const gbk = page.waitForResponse((r) => GBK.test(new URL(r.url()).pathname));
  await navigate(page, "/text");
  expect((await gbk).status()).toBe(200);
  await page.getByTestId("text-input").fill("中文");
  await expect(page.locator('td.codec-bytes[data-label="gbk"]').first()).toContainText("d6 d0");

  // Back and forth: installed for the page's life, never fetched again.
  await navigate(page, "/errors");
  await expect(page.locator('[data-testid=err-table] tbody tr').first()).toHaveAttribute("data-name", "EAGAIN");
  await navigate(page, "/byte-order");
  await navigate(page, "/text");
  await page.getByTestId("text-input").fill("中文");
  await expect(page.locator('td.codec-bytes[data-label="gbk"]').first()).toContainText("d6 d0");
  expect(data.count(LESSONS)).toBe(1);
  expect(data.count(GBK)).toBe(1);

  // The console is the console build's page: going there is a page load, a new page life. It
  // opens without the GBK table, and fetches it when a line first names the codec (from the
  // HTTP cache here: immutable).
  await navigate(page, "/console");
  await expect(page.locator("html")).toHaveAttribute("data-build", "console");
  const input = page.getByTestId("console-input-1");
  await expect(input).toBeVisible();
  await input.fill("'中'.encode('utf-8')");
  await input.press("Enter");
  await expect(page.getByTestId("console-transcript-1")).toContainText("b'\\xe4\\xb8\\xad'");
  await page.waitForLoadState("networkidle");
  expect(data.count(GBK), "the console opens without the GBK table").toBe(1);
  const table = page.waitForResponse((r) => GBK.test(new URL(r.url()).pathname));
  await input.fill("'中'.encode('gbk')");
  await input.press("Enter");
  await table;
  await expect(page.getByTestId("console-transcript-1")).toContainText("b'\\xd6\\xd0'");
  await input.fill("b'\\xd6\\xd0'.decode('cp936')");
  await input.press("Enter");
  await expect(page.getByTestId("console-transcript-1")).toContainText("'中'");
  expect(data.count(GBK), "once").toBe(2);
  expect(data.count(LESSONS)).toBe(1);
  watch.expectNone();
});

test("a console line that names GBK while its table cannot be had says so, and runs once it can", async ({ page }) => {
  let refuse = true;
  await page.route(GBK, (route) => (refuse ? route.abort("connectionrefused") : route.continue()));
  await page.goto(pageUrl("/console"));
  const input = page.getByTestId("console-input-1");
  await input.fill("'中'.encode('gbk')");
  await input.press("Enter");
  const transcript = page.getByTestId("console-transcript-1");
  await expect(transcript).toContainText("[socklab] the GBK codec needs its table, which could not be fetched");
  refuse = false;
  await input.fill("'中'.encode('gbk')");
  await input.press("Enter");
  await expect(transcript).toContainText("b'\\xd6\\xd0'");
});

test("a data file that cannot be fetched: the page says why in the reader's language, and Try again works", async ({ page }) => {
  let refuse = true;
  await page.route(LESSONS, (route) => (refuse ? route.abort("connectionrefused") : route.continue()));
  await page.goto(pageUrl("/errors"));
  const failed = page.getByTestId("data-failed");
  await expect(failed).toContainText("Could not load the error lessons");
  await expect(failed).toContainText("check that socklab is still running");
  await expect(page.getByTestId("err-table")).toHaveCount(0);
  await chooseLang(page, "zh-CN");
  await expect(failed).toContainText("无法加载错误说明");
  await expect(page.getByTestId("data-retry")).toHaveText("重试");

  refuse = false;
  await page.getByTestId("data-retry").click();
  await expect(failed).toHaveCount(0);
  await expect(page.locator('[data-testid=err-table] tbody tr').first()).toHaveAttribute("data-name", "EAGAIN");
});

test("another build's file is refused by its hash: the page asks for a reload instead of showing it", async ({ page }) => {
  await page.route(GBK, (route) =>
    route.fulfill({ status: 200, contentType: "application/octet-stream", body: Buffer.alloc(48_132, 1) }),
  );
  await page.goto(pageUrl("/text"));
  const failed = page.getByTestId("data-failed");
  await expect(failed).toContainText("socklab now serves a newer build than this page");
  await expect(failed).toContainText("Reload the page");
  await expect(page.getByTestId("text-input")).toHaveCount(0);

  await page.unroute(GBK);
  await page.reload();
  await expect(page.getByTestId("text-input")).toBeVisible();
  await expect(page.getByTestId("data-failed")).toHaveCount(0);
});

const CATALOG = /\/catalog-(en|zh-CN)-[0-9a-f]{16}\.txt$/;
/** The texts only one build's pages use: a file of their own for each build (core's `builds`). */
const BUILD_CATALOG = /\/catalog-(lite|console|live)-(en|zh-CN)-[0-9a-f]{16}\.txt$/;

/**
 * The catalogs the page asks for, as it asks (the preload included): by language tag for the
 * texts every page may use, and `<build>-<tag>` for a build's own.
 */
function watchCatalogs(page: Page) {
  const asked: string[] = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    const m = path.match(CATALOG);
    if (m) asked.push(m[1]);
    const own = path.match(BUILD_CATALOG);
    if (own) asked.push(`${own[1]}-${own[2]}`);
  });
  return asked;
}

test("only the reader's catalog comes with the first visit; the other comes when they switch, once", async ({ browser }) => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  const watch = watchErrors(page);
  const asked = watchCatalogs(page);
  await page.goto(pageUrl("/byte-order"));
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.getByTestId("lang-zh-CN")).toHaveAttribute("aria-pressed", "true");
  await page.waitForLoadState("networkidle");
  // Preloaded by index.html beside the wasm and taken by the app: one request each, not two.
  expect([...asked].sort()).toEqual(["lite-zh-CN", "zh-CN"]);

  await chooseLang(page, "en");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.locator("nav.topics")).toContainText("Byte order");
  await chooseLang(page, "zh-CN");
  await expect(page.locator("nav.topics")).toContainText("字节序");
  await chooseLang(page, "en");
  await expect(page.locator("nav.topics")).toContainText("Byte order");
  expect([...asked].sort()).toEqual(["en", "lite-en", "lite-zh-CN", "zh-CN"]);

  // The choice is remembered: a reload preloads English only.
  asked.length = 0;
  await page.reload();
  await expect(page.locator("nav.topics")).toContainText("Byte order");
  await page.waitForLoadState("networkidle");
  expect([...asked].sort()).toEqual(["en", "lite-en"]);
  watch.expectNone();
  await context.close();
});

test("when the catalog cannot be had, the page says so in both languages, and Try again works", async ({ page }) => {
  let refuse = true;
  await page.route(CATALOG, (route) => (refuse ? route.abort("connectionrefused") : route.continue()));
  await page.goto(pageUrl("/struct"));
  const failed = page.getByTestId("boot-failed");
  await expect(failed).toContainText("Could not load socklab's texts");
  await expect(failed).toContainText("无法加载 socklab 的界面文字");
  await expect(page.locator("h1")).toHaveCount(0);
  refuse = false;
  await page.getByTestId("boot-retry").click();
  await expect(failed).toHaveCount(0);
  await expect(page.locator("h1")).toBeVisible();
});

test("a language whose texts cannot be fetched: the page stays in its language, says why, and Try again switches", async ({ page }) => {
  let refuse = true;
  await page.route(/\/catalog-zh-CN-[0-9a-f]{16}\.txt$/, (route) => (refuse ? route.abort("connectionrefused") : route.continue()));
  await page.goto(pageUrl("/byte-order"));
  await expect(page.locator("h1")).toBeVisible();
  await page.getByTestId("lang-zh-CN").click();
  const failed = page.getByTestId("lang-failed");
  await expect(failed).toContainText("Could not load the interface's texts");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByTestId("lang-en")).toHaveAttribute("aria-pressed", "true");
  refuse = false;
  await page.getByTestId("lang-retry").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(failed).toHaveCount(0);
  await expect(page.locator("nav.topics")).toContainText("字节序");
});

test("each build's pages take their own texts, preloaded, once, and both files when switching", async ({ browser }) => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  const watch = watchErrors(page);
  const asked = watchCatalogs(page);
  await page.goto(pageUrl("/console"));
  await expect(page.locator("html")).toHaveAttribute("data-build", "console");
  await expect(page.locator("h1")).toHaveText(catalog("zh-CN").get("con.title")!);
  await page.waitForLoadState("networkidle");
  expect([...asked].sort()).toEqual(["console-zh-CN", "zh-CN"]);

  await chooseLang(page, "en");
  await expect(page.locator("h1")).toHaveText(catalog("en").get("con.title")!);
  expect([...asked].sort()).toEqual(["console-en", "console-zh-CN", "en", "zh-CN"]);

  // A lite page takes its build's texts, and never asks for the console's.
  await page.goto(pageUrl("/byte-order"));
  await expect(page.locator("html")).toHaveAttribute("data-build", "lite");
  await expect(page.locator("nav.topics")).toContainText("Byte order");
  await page.waitForLoadState("networkidle");
  expect(asked).toContain("lite-en");
  expect(asked.filter((a) => a.startsWith("console-"))).toEqual(["console-zh-CN", "console-en"]);
  expect(asked.filter((a) => a.startsWith("live-"))).toEqual([]);
  watch.expectNone();
  await context.close();
});

test("when a build's own texts cannot be had, its page says so, and Try again works", async ({ page }) => {
  let refuse = true;
  await page.route(BUILD_CATALOG, (route) => (refuse ? route.abort("connectionrefused") : route.continue()));
  await page.goto(pageUrl("/hostnames"));
  const failed = page.getByTestId("boot-failed");
  await expect(failed).toContainText("Could not load socklab's texts");
  await expect(page.locator("h1")).toHaveCount(0);
  refuse = false;
  await page.getByTestId("boot-retry").click();
  await expect(failed).toHaveCount(0);
  await expect(page.locator("h1")).toHaveText(catalog("en").get("host.title")!);
});
