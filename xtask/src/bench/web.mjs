// `cargo xtask bench web`, the browser half: headless Chromium (Debian's, through Playwright)
// against a running `socklab serve`. Prints one JSON object on stdout; web.rs makes the table.
//
//   node xtask/src/bench/web.mjs <the URL socklab serve printed> <runs> <keystrokes> [identity|gzip]
//
// With `identity` the browser asks for every file uncompressed (Accept-Encoding: identity), as
// socklab served them before it compressed anything: the comparison for the README. With `gzip`
// it asks as a browser does at a plain-http LAN address (Accept-Encoding: gzip, deflate): browsers
// ask for brotli only from secure origins, so that is what a classroom's students get.
//
// - transfer: every response of a cold-cache visit to /byte-order (the lite build, which every
//   page but the console and the live lessons loads), to /console (the console build) and to
//   /live (the live build), with its
//   Content-Encoding and the bytes Chromium received for its body;
// - first render: navigation start to the moment the page's h1 is in the document (a
//   MutationObserver installed before the page's own scripts run), in a fresh context each run
//   (a cold cache), on loopback as it is and throttled with CDP's
//   Network.emulateNetworkConditions to 10 Mbit/s each way and 40 ms of latency;
// - keystroke: on /struct with a 64-field format, from the input event of a keystroke in the
//   values field to the first DOM change after it (a MutationObserver), one keystroke at a time;
// - memory: after visiting every page in one tab through the topic links (a reader going
//   through the lesson), once garbage is collected: the JS heap (CDP Runtime.getHeapUsage), the
//   wasm's linear memory (captured as the module is instantiated), DOM nodes and listeners;
//   and the data files the pages fetched on the way (core's Deferred), as served.
import { chromium, request } from "@playwright/test";

const [url, runsArg, keysArg, encodingArg] = process.argv.slice(2);
const ACCEPT = { identity: "identity", gzip: "gzip, deflate" }[encodingArg];
const contextOptions = ACCEPT ? { extraHTTPHeaders: { "Accept-Encoding": ACCEPT } } : {};
const runs = Number(runsArg ?? 7);
const keystrokes = Number(keysArg ?? 50);
const origin = new URL(url).origin;
const token = new URL(url).searchParams.get("token") ?? "";
const at = (path) => `${origin}${path}${path.includes("?") ? "&" : "?"}token=${token}`;

const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];

/** The server compresses its assets once, in the background, as it starts: wait for that. */
async function untilCompressed() {
  const api = await request.newContext();
  const index = await (await api.get(`${origin}/`)).text();
  const paths = [...new Set([...index.matchAll(/["'](\/[^"']+-[0-9a-f]{10,16}(?:_bg)?\.(?:wasm|js|css))["']/g)].map((m) => m[1]))];
  for (const path of paths) {
    const until = Date.now() + 120_000;
    for (;;) {
      const r = await api.get(`${origin}${path}`, { headers: { "Accept-Encoding": "br" } });
      if (r.headers()["content-encoding"] === "br") break;
      if (Date.now() > until) throw new Error(`${path} was not served in brotli within 120 s`);
      await new Promise((f) => setTimeout(f, 200));
    }
  }
  await api.dispose();
}

/** Records performance.now() when the first h1 appears, before the app's scripts run. */
const WATCH_H1 = () => {
  const seen = () => {
    if (window.__h1 === undefined && document.querySelector("h1")) window.__h1 = performance.now();
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
};

async function firstRender(browser, throttled) {
  const context = await browser.newContext(contextOptions); // its own, empty cache
  const page = await context.newPage();
  await page.addInitScript(WATCH_H1);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  if (throttled) {
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 40,
      downloadThroughput: 10_000_000 / 8,
      uploadThroughput: 10_000_000 / 8,
    });
  }
  await page.goto(at("/byte-order"));
  await page.waitForFunction(() => window.__h1 !== undefined, null, { timeout: 60_000 });
  const h1 = await page.evaluate(() => window.__h1);
  await context.close();
  return { h1 };
}

/** Every response of a cold-cache visit to `path`. */
async function transfer(browser, path) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const responses = [];
  page.on("requestfinished", async (req) => {
    const response = await req.response();
    const sizes = await req.sizes();
    responses.push({
      path: new URL(req.url()).pathname,
      encoding: response?.headers()["content-encoding"] ?? "identity",
      bytes: sizes.responseBodySize,
      headers: sizes.responseHeadersSize,
    });
  });
  await page.goto(at(path));
  await page.locator("h1").waitFor();
  await page.waitForLoadState("networkidle");
  // The body bytes as the page's Resource Timing counts them, where it has them: Chromium's
  // sizes for a fetch() the wasm reads whole (the GBK table) can come back negative.
  const timing = new Map(
    await page.evaluate(() =>
      performance.getEntriesByType("resource").map((e) => [new URL(e.name).pathname, e.encodedBodySize]),
    ),
  );
  await context.close();
  return responses
    .filter((r) => !r.path.startsWith("/ws"))
    .map((r) => (timing.has(r.path) ? { ...r, bytes: timing.get(r.path) } : r));
}

/** A 64-field format (every integer code, 8 times) and a value for each field. */
const FORMAT = "<" + "bBhHiIqQ".repeat(8);
const VALUES = Array.from({ length: 64 }, (_, i) => String(i + 1)).join(", ");

async function keystrokeLatency(browser) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  await page.goto(at(`/struct?fmt=${encodeURIComponent(FORMAT)}&args=${encodeURIComponent(VALUES)}`));
  await page.getByTestId("st-hex").locator("li").first().waitFor();
  const cells = await page.getByTestId("st-hex").locator("li").count();
  await page.evaluate(() => {
    window.__lat = [];
    window.__t0 = null;
    window.addEventListener("input", () => { window.__t0 = performance.now(); }, { capture: true });
    new MutationObserver(() => {
      if (window.__t0 !== null) {
        window.__lat.push(performance.now() - window.__t0);
        window.__t0 = null;
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
  });
  const field = page.getByTestId("st-args");
  await field.focus();
  await page.keyboard.press("End");
  for (let i = 0; i < keystrokes; i++) {
    // Appending a digit to the last value and taking it away: each keystroke changes one
    // field's bytes (64 → 641 → 64), so every one has something to update.
    await page.keyboard.press(i % 2 === 0 ? "1" : "Backspace");
    await page.waitForFunction((n) => window.__lat.length > n, i, { timeout: 10_000 });
    await page.waitForTimeout(20);
  }
  const latencies = await page.evaluate(() => window.__lat);
  await context.close();
  return { format: FORMAT, cells, latencies };
}

/** Keeps the wasm module's memory where the bench can read it, as the app instantiates it. */
const CAPTURE_WASM_MEMORY = () => {
  for (const name of ["instantiate", "instantiateStreaming"]) {
    const original = WebAssembly[name];
    WebAssembly[name] = async (...args) => {
      const result = await original.apply(WebAssembly, args);
      const instance = result.instance ?? result;
      if (instance?.exports?.memory) window.__wasmMemory = instance.exports.memory;
      return result;
    };
  }
};

async function memory(browser) {
  // No service worker: it would fetch the data files first, in the background, and the page
  // would then take them from its cache; here they are measured as a page fetches them.
  const context = await browser.newContext({ ...contextOptions, serviceWorkers: "block" });
  const page = await context.newPage();
  await page.addInitScript(CAPTURE_WASM_MEMORY);
  const fetchedLater = [];
  page.on("requestfinished", async (req) => {
    const path = new URL(req.url()).pathname;
    // The data pages fetch later; not the reader's catalog, which the first visit brings.
    if (!/-[0-9a-f]{16}\.(txt|bin)$/.test(path) || path.startsWith("/catalog-")) return;
    const response = await req.response();
    const sizes = await req.sizes();
    // Once each, as the network brought it: a later page load takes it from the HTTP cache.
    if (sizes.responseBodySize <= 0 || fetchedLater.some((f) => f.path === path)) return;
    fetchedLater.push({ path, encoding: response?.headers()["content-encoding"] ?? "identity", bytes: sizes.responseBodySize });
  });
  await page.goto(at("/byte-order"));
  await page.locator("h1").waitFor();
  const routes = await page.locator("nav.topics a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  for (const route of routes) {
    await page.locator(`nav.topics a[href="${route}"]`).click();
    await page.waitForURL((u) => u.pathname === route);
    await page.locator("h1").waitFor();
    await page.waitForLoadState("networkidle");
  }
  const cdp = await context.newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  const heap = await cdp.send("Runtime.getHeapUsage");
  await cdp.send("Performance.enable");
  const metrics = Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  const wasm = await page.evaluate(() => window.__wasmMemory?.buffer.byteLength ?? null);
  await context.close();
  return {
    pages: routes.length,
    jsHeapUsed: heap.usedSize,
    wasmMemory: wasm,
    nodes: metrics.Nodes,
    listeners: metrics.JSEventListeners,
    fetchedLater,
  };
}

await untilCompressed();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ARGS });
const out = {
  transfer: await transfer(browser, "/byte-order"),
  // The pages of the other two builds: what their first visits cost.
  transferConsole: await transfer(browser, "/console"),
  transferLive: await transfer(browser, "/live"),
  loopback: [],
  throttled: [],
};
for (let i = 0; i < runs; i++) out.loopback.push(await firstRender(browser, false));
for (let i = 0; i < runs; i++) out.throttled.push(await firstRender(browser, true));
out.keystroke = await keystrokeLatency(browser);
out.memory = await memory(browser);
await browser.close();
console.log(JSON.stringify(out));
