// What a first visit downloads, as served: the wasm, JS, CSS and catalog, compressed, within a
// budget (issue #15 asks for 300 KB; see BUDGET). Sizes are the bytes on the wire (the encoded
// bodies Chromium received), so the test fails when a change makes the app heavier than the
// budget; timings are the bench's job (`cargo xtask bench web`), since time is not
// deterministic and size is.
import { APIRequestContext, expect, test } from "@playwright/test";
import { serverUrl } from "./helpers";

/**
 * wasm + JS + CSS + the reader's catalog as served to Chromium (brotli), in bytes, for a first
 * visit, in each language, to a page of each of the app's three builds (index.html loads one of
 * them, by page; core's `builds`): the console build for /console, the live build for /live, the
 * lite one for every other page. Each leaves the others' pages out, and fetches only the texts
 * every page may use and its own pages'. The issue asks for 300,000, and every build is within
 * it (as measured here: lite 290,503 in English and 292,321 in Chinese, console 297,077 and
 * 298,195, live 284,225 and 285,483).
 * History (a first visit to /): 503,831 with the console, presenter mode, the QR code and the
 * classroom bar; 457,702 once the catalogs, the errno lessons and the GBK table were fetched when
 * needed; 412,316 once the page read and wrote the companion's messages by hand (no serde in the
 * app); 317,687 with a lite build; 296,369 with the live lessons in the other build, ASCII-only
 * case folding in the errors search, the minified stylesheet, and that build's texts and the
 * exercises' whys in catalog files of their own; 282,469 with core's own decimal parser and
 * wasm-opt -O2; 291,642 with the hostnames page back in the lite build. A first visit to
 * /console: 421,610 when its build had every page; 327,499 when it had only the console and the
 * live lessons; 296,873 with a build of its own; 295,358 with the JS glue minified; 296,764
 * with the console's own notes in the reader's language.
 */
const BUDGET = 300_000;

/**
 * What a first visit needs: a hashed wasm, JS or CSS file of trunk's (`name-<hash>.ext`; /sw.js is
 * the page's worker, not an asset), and the reader's string catalog, which index.html preloads.
 */
const isAsset = (url: string) =>
  /-[0-9a-f]{10,16}(_bg)?\.(wasm|js|css)$/.test(new URL(url).pathname) ||
  /^\/catalog-[a-zA-Z-]+-[0-9a-f]{16}\.txt$/.test(new URL(url).pathname);

/** core's deferred data a first visit fetches, by build: none (the console fetches the GBK table when a line names the codec). */
const FIRST_DATA = { lite: [], console: [], live: [] };

type Build = "lite" | "console" | "live";
type Lang = "en" | "zh-CN";

/**
 * The files a first visit to a page of `build` needs, by path: that build's JS and wasm (the
 * loader in index.html names every build's files), the CSS, and the two catalog files that
 * index.html preloads for a browser that prefers `lang`: the texts every page may use, and those
 * only the build's own pages use.
 */
async function assetPaths(request: APIRequestContext, build: Build, lang: Lang = "en"): Promise<string[]> {
  const index = await (await request.get(new URL("/", serverUrl()).toString())).text();
  const builds = index.match(/const builds = (\{.*\});/);
  expect(builds, "index.html names the builds' files").not.toBeNull();
  // [js, wasm, the wasm in LZMA]: the last is for pages at a plain-http address (lan.spec.ts).
  const app: string[] = JSON.parse(builds![1])[build].slice(0, 2);
  const css = [...index.matchAll(/"(\/style-[0-9a-f]{10,16}\.css)"/g)].map((m) => m[1]);
  const catalogs = JSON.parse(index.match(/const files = (\{.*\});/)![1]);
  expect(catalogs[lang], `index.html names the ${lang} catalog`).toMatch(new RegExp(`^/catalog-${lang}-[0-9a-f]{16}\\.txt$`));
  expect(catalogs[build][lang], `and the ${build} build's ${lang} texts`).toMatch(new RegExp(`^/catalog-${build}-${lang}-[0-9a-f]{16}\\.txt$`));
  return [...app, ...new Set(css), catalogs[lang], catalogs[build][lang]];
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

const visits: [Build, string, Lang][] = [
  ["lite", "/", "en"],
  ["lite", "/", "zh-CN"],
  ["console", "/console", "en"],
  ["console", "/console", "zh-CN"],
  ["live", "/live", "en"],
  ["live", "/live", "zh-CN"],
];
for (const [build, page_, lang] of visits) {
  test(`a first visit to ${page_} (the ${build} build) in ${lang} downloads at most ${BUDGET} bytes of wasm, JS, CSS and catalog, in brotli`, async ({ browser, request }) => {
    test.setTimeout(120_000);
    const paths = await assetPaths(request, build, lang);
    expect(paths.filter((p) => p.endsWith(".wasm"))).toHaveLength(1);
    await untilCompressed(request, paths);

    const context = await browser.newContext({ locale: lang }); // a cold cache
    const page = await context.newPage();
    // Each response's encoding and length as the server sent them, by path.
    const headers = new Map<string, { encoding: string; length: number }>();
    page.on("response", (response) => {
      headers.set(new URL(response.url()).pathname, {
        encoding: response.headers()["content-encoding"] ?? "identity",
        length: Number(response.headers()["content-length"]),
      });
    });
    const deferred: string[] = []; // data a page fetches when it needs it (core's `Deferred`)
    page.on("request", (req) => {
      const data = /^\/(lessons|gbk)-[0-9a-f]{16}\.(txt|bin)$/.exec(new URL(req.url()).pathname);
      if (data) deferred.push(data[1]);
    });
    await page.goto(new URL(page_, serverUrl()).toString());
    await expect(page.locator("h1")).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("data-build", build);
    // The budget counts what the first page needs, and only that: the other builds are not
    // fetched, and the lessons and the GBK table wait for the pages that show them, and the
    // console for a line that names GBK (deferred.spec.ts).
    await page.waitForLoadState("networkidle");
    // The body bytes the page received, encoded, as its Resource Timing counts them.
    const received = await page.evaluate(() =>
      performance.getEntriesByType("resource").map((e) => {
        const t = e as PerformanceResourceTiming;
        return { path: new URL(t.name).pathname, bytes: t.encodedBodySize };
      }),
    );
    const served = received
      .filter((r) => isAsset(`http://x${r.path}`) || /^\/gbk-[0-9a-f]{16}\.bin$/.test(r.path))
      .map((r) => ({ ...r, ...headers.get(r.path)! }));
    expect(deferred, "the deferred data a first visit fetches").toEqual(FIRST_DATA[build]);
    const expected = [...paths, ...served.filter((s) => /^\/gbk-/.test(s.path)).map((s) => s.path)];
    expect(served.map((s) => s.path).sort()).toEqual(expected.sort());

    const total = served.reduce((sum, s) => sum + s.bytes, 0);
    console.log(
      served.map((s) => `  ${s.path}: ${s.bytes} bytes (${s.encoding})`).join("\n") +
        `\n  ${page_} (${build}, ${lang}): ${total} bytes; budget ${BUDGET} (issue #15)`,
    );
    for (const s of served) {
      expect(s.encoding, s.path).toBe("br");
      // What Chromium counted is what the server sent.
      expect(s.bytes, s.path).toBe(s.length);
    }
    expect(total, `wasm + JS + CSS + the catalog as served: ${total} bytes`).toBeLessThanOrEqual(BUDGET);
    await context.close();
  });
}

test("a second visit takes the hashed assets from the cache and asks only for the page", async ({ browser, request }) => {
  await untilCompressed(request, await assetPaths(request, "lite"));
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
