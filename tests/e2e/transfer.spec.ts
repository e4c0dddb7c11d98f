// What a first visit downloads, as served: the wasm, JS and CSS, compressed, within a budget
// (issue #15 asks for 300 KB; see BUDGET for where this build is). Sizes are the bytes on the wire (the encoded bodies Chromium received), so the
// test fails when a change makes the app heavier than the budget; timings are the bench's job
// (`cargo xtask bench web`), since time is not deterministic and size is.
import { APIRequestContext, expect, test } from "@playwright/test";
import { serverUrl } from "./helpers";

/**
 * wasm + JS + CSS + the reader's catalog as served to Chromium (brotli), in bytes. The issue asks
 * for 300,000; this build is not there: 457,702 bytes since the catalogs, the errno lessons and
 * the GBK table are fetched only when needed (one catalog comes with every first visit) and the
 * console's evaluator is compiled once (503,831 before, once the console, Predict-then-run,
 * presenter mode, the link's QR code and the classroom bar joined; 444,260 before them). The
 * budget is that plus 3%, so that nothing heavier gets in unnoticed; lower it as the app
 * shrinks, down to the issue's 300,000.
 */
const ISSUE_BUDGET = 300_000;
const BUDGET = 472_000;

/**
 * What a first visit needs: a hashed wasm, JS or CSS file of trunk's (`name-<hash>.ext`; /sw.js is
 * the page's worker, not an asset), and the reader's string catalog, which index.html preloads.
 */
const isAsset = (url: string) =>
  /-[0-9a-f]{10,16}(_bg)?\.(wasm|js|css)$/.test(new URL(url).pathname) ||
  /^\/catalog-[a-zA-Z-]+-[0-9a-f]{16}\.txt$/.test(new URL(url).pathname);

/**
 * The hashed assets index.html names (trunk's `name-<hash>.ext`; not /sw.js, which the page
 * registers), and the English catalog it preloads for a browser that prefers English.
 */
async function assetPaths(request: APIRequestContext): Promise<string[]> {
  const index = await (await request.get(new URL("/", serverUrl()).toString())).text();
  const paths = [...index.matchAll(/["'](\/[^"']+-[0-9a-f]{10,16}(?:_bg)?\.(?:wasm|js|css))["']/g)].map((m) => m[1]);
  const catalog = index.match(/"en":"(\/catalog-en-[0-9a-f]{16}\.txt)"/);
  expect(catalog, "index.html names the English catalog").not.toBeNull();
  return [...new Set(paths), catalog![1]];
}

/**
 * Waits until the server has compressed its assets: it does so once, in the background, as it
 * starts (15 s or so in the debug build), and sends them as they are until then.
 */
async function untilCompressed(request: APIRequestContext, paths: string[]) {
  for (const path of paths) {
    await expect
      .poll(
        async () => {
          const response = await request.get(new URL(path, serverUrl()).toString(), {
            headers: { "Accept-Encoding": "br" },
          });
          return response.headers()["content-encoding"];
        },
        { message: `${path} in brotli`, timeout: 90_000, intervals: [100, 250, 500] },
      )
      .toBe("br");
  }
}

test(`a first visit downloads at most ${BUDGET} bytes of wasm, JS, CSS and catalog, in brotli`, async ({ browser, request }) => {
  test.setTimeout(120_000);
  const paths = await assetPaths(request);
  expect(paths.some((p) => p.endsWith(".wasm"))).toBe(true);
  await untilCompressed(request, paths);

  const context = await browser.newContext(); // a cold cache
  const page = await context.newPage();
  const served: { path: string; encoding: string; bytes: number; length: number }[] = [];
  page.on("requestfinished", async (req) => {
    if (!isAsset(req.url())) return;
    const response = await req.response();
    const sizes = await req.sizes();
    served.push({
      path: new URL(req.url()).pathname,
      encoding: response?.headers()["content-encoding"] ?? "identity",
      bytes: sizes.responseBodySize,
      length: Number(response?.headers()["content-length"]),
    });
  });
  const deferred: string[] = []; // data a page fetches when it needs it (core's `Deferred`)
  page.on("request", (req) => {
    if (/\/(lessons|gbk)-[0-9a-f]{16}\.(txt|bin)$/.test(new URL(req.url()).pathname)) deferred.push(req.url());
  });
  await page.goto(serverUrl());
  await expect(page.locator("h1")).toBeVisible();
  await expect.poll(() => served.length).toBe(paths.length);
  // The budget counts what the first page needs; the lessons and the GBK table wait for the
  // pages that show them (deferred.spec.ts), and are not fetched here.
  await page.waitForLoadState("networkidle");
  expect(deferred, "a first visit fetches no deferred data").toEqual([]);

  const total = served.reduce((sum, s) => sum + s.bytes, 0);
  console.log(
    served.map((s) => `  ${s.path}: ${s.bytes} bytes (${s.encoding})`).join("\n") +
      `\n  total: ${total} bytes; budget ${BUDGET} (the issue's aim: ${ISSUE_BUDGET})`,
  );
  for (const s of served) {
    expect(s.encoding, s.path).toBe("br");
    // What Chromium counted is what the server sent.
    expect(s.bytes, s.path).toBe(s.length);
  }
  expect(total, `wasm + JS + CSS + the catalog as served: ${total} bytes`).toBeLessThanOrEqual(BUDGET);
  await context.close();
});

test("a second visit takes the hashed assets from the cache and asks only for the page", async ({ browser, request }) => {
  await untilCompressed(request, await assetPaths(request));
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(serverUrl());
  await expect(page.locator("h1")).toBeVisible();
  // A fresh navigation (not a reload, which revalidates): immutable assets come from the
  // cache, index.html (no-cache) from the server.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const fromCache = new Set<string>(); // memory cache hits, by request id
  cdp.on("Network.requestServedFromCache", (e) => fromCache.add(e.requestId));
  const fromNetwork: string[] = [];
  cdp.on("Network.responseReceived", (e) => {
    if (!fromCache.has(e.requestId) && !e.response.fromDiskCache) fromNetwork.push(new URL(e.response.url).pathname);
  });
  await page.goto(new URL("/struct", serverUrl()).toString());
  await expect(page.locator("h1")).toBeVisible();
  expect(fromNetwork.filter((p) => isAsset(`http://x${p}`)), fromNetwork.join(", ")).toEqual([]);
  expect(fromNetwork).toContain("/struct");
  await context.close();
});
