// Offline (issue #15): after one visit every page works with no network, the live parts saying
// they need the companion; and a new build replaces the cached one whole. Each test runs its own
// `socklab serve` on a copy of dist/, so it can kill that server and rebuild that copy while the
// suite's server stays up; and each uses a fresh browser context, so it starts with no worker.
import { expect, Page, test } from "@playwright/test";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalog, root, routes, serveDist } from "./helpers";

/** A copy of the built app that the test may change; removed with its folder at the end. */
function copyOfDist(): string {
  const copy = join(mkdtempSync(join(tmpdir(), "socklab-offline-")), "dist");
  cpSync(join(root, "dist"), copy, { recursive: true });
  return copy;
}

/**
 * The build's files as the worker should keep them: "/" (index.html) and every other file but
 * those only a page at a plain-http address fetches (each wasm in LZMA and its decoder), which
 * has no worker.
 */
function buildFiles(dist: string): string[] {
  const files = readdirSync(dist).filter((f) => f !== "index.html" && !f.endsWith("_bg.lzma") && !f.startsWith("unlzma-"));
  return ["/", ...files.map((f) => `/${f}`)].sort();
}

/**
 * The assets index.html names (wasm, JS, CSS, icon), by path; not the worker it registers, nor
 * the LZMA decoder, which only a page at a plain-http address (no worker) loads. With `build`,
 * those a page of that build loads: index.html names the three builds of the app (the lite one,
 * `socklab-lite-*`, the console one, `socklab-app-*`, and the live one, `socklab-live-*`) and
 * loads one of them.
 */
function indexAssets(dist: string, build?: "lite" | "console" | "live"): string[] {
  const index = readFileSync(join(dist, "index.html"), "utf8");
  const paths = [...index.matchAll(/["'](\/[^"'/]+\.(?:wasm|js|css|svg))["']/g)].map((m) => m[1]);
  const bins = { lite: "socklab-lite", console: "socklab-app", live: "socklab-live" };
  const other = (p: string) => build !== undefined && /^\/socklab-/.test(p) && !p.startsWith(`/${bins[build]}-`);
  return [...new Set(paths)].filter((p) => p !== "/sw.js" && !p.startsWith("/unlzma-") && !other(p));
}

/** Cache Storage as the page sees it: each cache's name and its entries' paths. */
async function cachesOf(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      const keys = await (await caches.open(name)).keys();
      out[name] = keys.map((request) => new URL(request.url).pathname).sort();
    }
    return out;
  });
}

/** Waits until a worker controls the page and the caches are exactly one build's: `files`. */
async function untilCached(page: Page, files: string[]): Promise<string> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await expect.poll(async () => Object.values(await cachesOf(page)), { timeout: 20_000 }).toEqual([files]);
  const [name] = Object.keys(await cachesOf(page));
  expect(name).toMatch(/^socklab-[0-9a-f]{16}$/);
  return name;
}

/**
 * Errors the page raises or logs, and requests that fail; with the network cut, the companion's
 * WebSocket is expected to fail (the browser itself logs that), and nothing else.
 */
function watchOffline(page: Page) {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/^WebSocket connection to 'ws:\/\/[^']+\/ws\?token=[^']*' failed/.test(m.text())) {
      errors.push(`console: ${m.text()}`);
    }
  });
  page.on("requestfailed", (r) => {
    if (new URL(r.url()).pathname !== "/ws") errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  return { expectNone: () => expect(errors, errors.join("\n")).toEqual([]) };
}

/**
 * Cuts the network for real: the server is gone, and the browser is offline too. The HTTP
 * cache, which holds the hashed files as well (immutable for a year), is emptied, so what
 * loads from now on can only come from the worker's cache.
 */
async function cutNetwork(page: Page, stop: () => Promise<void>) {
  await stop();
  await page.context().setOffline(true);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.clearBrowserCache");
  await cdp.detach();
}

test("after one visit, every page loads with no network, and the live parts say they need the companion", async ({ browser }) => {
  test.setTimeout(90_000);
  const dist = copyOfDist();
  const companion = await serveDist(dist);
  const origin = new URL(companion.url).origin;
  const context = await browser.newContext();
  const page = await context.newPage();
  const en = catalog("en");
  try {
    const first = await page.goto(companion.url);
    await expect(page.getByTestId("companion-status")).toHaveAttribute("data-state", "connected");
    // The visit that registers the worker comes from the network as ever (what transfer.spec.ts
    // measures is unchanged); the worker takes the page once it has cached the whole build.
    expect(first!.fromServiceWorker()).toBe(false);
    await untilCached(page, buildFiles(dist));
    expect(buildFiles(dist)).toEqual(expect.arrayContaining(indexAssets(dist)));

    await cutNetwork(page, companion.stop);
    expect(await page.evaluate(() => fetch("/index.html", { cache: "no-store" }).then(() => "answered", () => "failed"))).toBe("failed");
    const watch = watchOffline(page);
    expect((await page.reload())!.fromServiceWorker()).toBe(true);
    await expect(page.locator("h1")).toBeVisible();
    // Every page, and an error entry with its live reproduction open (a query, kept).
    const visited = [...routes(), "/errors?e=ECONNREFUSED"];
    const liveParts: Record<string, number> = {};
    for (const path of visited) {
      await page.goto(`${origin}${path}`);
      const h1 = page.locator("h1");
      await expect(h1, path).toBeVisible();
      expect((await h1.innerText()).trim(), path).not.toBe("");
      await expect(page.getByTestId("companion-status"), path).toHaveAttribute("data-state", "unavailable");
      // Every live part says it needs the companion, its Run button off.
      const live = page.locator(".live");
      liveParts[path] = await live.count();
      for (let i = 0; i < liveParts[path]; i++) {
        await expect(live.nth(i).locator(".run-btn"), `${path} live part ${i}`).toBeDisabled();
        await expect(live.nth(i), `${path} live part ${i}`).toContainText(en.get("live.needs_companion")!);
      }
      if (path === "/console") await expect(page.getByTestId("console-no-companion")).toBeVisible();
    }
    for (const path of ["/addresses", "/hostnames", "/live", "/errors?e=ECONNREFUSED"]) {
      expect(liveParts[path], `live parts on ${path}`).toBeGreaterThan(0);
    }
    // A link with its query (and a token, as the companion prints it) opens that state offline.
    await page.goto(`${origin}/byte-order?v=256&w=2&token=0123`);
    await expect(page.locator(`.pycall[data-code="struct.pack('>H', 256)"] [data-testid="py-result"]`)).toHaveText("b'\\x01\\x00'");
    watch.expectNone();
  } finally {
    await context.close();
    await companion.stop();
    rmSync(join(dist, ".."), { recursive: true, force: true });
  }
});

/** A hashed name for new content, as trunk would give it: the stem, `-`, 16 hex digits. */
function renamed(name: string, content: string | Buffer): string {
  const hash = createHash("sha256").update(content).update(name).digest("hex").slice(0, 16);
  return name.replace(/-[0-9a-f]{10,16}(_bg)?\.(\w+)$/, `-${hash}$1.$2`);
}

/**
 * Turns `dist` into a new build B, as a rebuild would: new CSS under a new name (with a marker
 * custom property), both builds' wasm under new names, index.html naming them (and the CSS's new
 * integrity) with a marker of its own; the replaced files are gone. Returns the old names.
 */
function rebuild(dist: string): string[] {
  const files = readdirSync(dist);
  const css = files.find((f) => /^style-[0-9a-f]+\.css$/.test(f))!;
  const wasms = files.filter((f) => f.endsWith("_bg.wasm"));
  expect(wasms.length, "the wasm of each of the three builds").toBe(3);
  const cssText = `${readFileSync(join(dist, css), "utf8")}\nhtml { --socklab-build: "B"; }\n`;
  const newCss = renamed(css, cssText);
  writeFileSync(join(dist, newCss), cssText);
  unlinkSync(join(dist, css));
  let index = readFileSync(join(dist, "index.html"), "utf8");
  for (const wasm of wasms) {
    const newWasm = renamed(wasm, "B");
    renameSync(join(dist, wasm), join(dist, newWasm));
    index = index.replaceAll(wasm, newWasm);
  }
  const integrity = `sha384-${createHash("sha384").update(cssText).digest("base64")}`;
  index = index
    .replace(new RegExp(`href="/${css}" integrity="[^"]*"`), `href="/${newCss}" integrity="${integrity}"`)
    .replace("<title>", `<meta name="socklab-build" content="B" />\n    <title>`);
  expect(index).not.toContain(css);
  writeFileSync(join(dist, "index.html"), index);
  return [`/${css}`, ...wasms.map((wasm) => `/${wasm}`)];
}

test("a new build replaces the cached one whole: its index, its files only, its cache only", async ({ browser }) => {
  test.setTimeout(90_000);
  const dist = copyOfDist();
  const companion = await serveDist(dist);
  const context = await browser.newContext();
  const page = await context.newPage();
  const marker = () => page.locator('meta[name="socklab-build"]');
  const cssMarker = () => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--socklab-build"));
  try {
    await page.goto(companion.url);
    const cacheA = await untilCached(page, buildFiles(dist));
    await expect(marker()).toHaveCount(0);

    const gone = rebuild(dist);
    const filesB = buildFiles(dist);
    // B's index.html, though build A's worker answers the reload: navigations ask the network
    // first. It names B's files by their hashes, so only B's files load, whichever cache or
    // network answers: an index from one build can only ever load that build's assets.
    expect((await page.reload())!.fromServiceWorker()).toBe(true);
    await expect(marker()).toHaveCount(1);
    await expect(page.locator("h1")).toBeVisible();
    expect(await cssMarker()).toBe('"B"');
    const loaded = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .map((e) => new URL(e.name))
        .filter((url) => url.origin === location.origin)
        .map((url) => url.pathname),
    );
    expect(loaded).toEqual(expect.arrayContaining(indexAssets(dist, "lite")));
    for (const path of loaded) expect(filesB, `${path} is B's`).toContain(path);
    // B's worker replaced A's, and its cache A's: one cache, B's files, none of A's.
    const cacheB = await untilCached(page, filesB);
    expect(cacheB).not.toBe(cacheA);
    const kept = (await cachesOf(page))[cacheB];
    for (const path of gone) expect(kept, `${path} was A's only`).not.toContain(path);

    await cutNetwork(page, companion.stop);
    const watch = watchOffline(page);
    await page.reload();
    await expect(marker()).toHaveCount(1);
    await expect(page.locator("h1")).toBeVisible();
    expect(await cssMarker()).toBe('"B"');
    watch.expectNone();
  } finally {
    await context.close();
    await companion.stop();
    rmSync(join(dist, ".."), { recursive: true, force: true });
  }
});

/** Asks the browser to look for a new worker now, and waits for the one it installs to settle. */
async function updateWorker(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const registration = (await navigator.serviceWorker.getRegistration())!;
    await registration.update();
    const worker = registration.installing;
    if (!worker) return "no new worker";
    const settled = (state: string) => state === "redundant" || state === "activated";
    while (!settled(worker.state)) {
      await new Promise((resolve) => worker.addEventListener("statechange", resolve, { once: true }));
    }
    return worker.state;
  });
}

test("a new build's worker that cannot keep the whole build keeps nothing, and the one in charge stays", async ({ browser }) => {
  test.setTimeout(90_000);
  const dist = copyOfDist();
  const companion = await serveDist(dist);
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(companion.url);
    const filesA = buildFiles(dist);
    const cacheA = await untilCached(page, filesA);
    const indexA = readFileSync(join(dist, "index.html"));
    const [, goneWasm] = rebuild(dist);
    const newWasm = buildFiles(dist).find((p) => p.endsWith("_bg.wasm") && p !== goneWasm)!;

    // One of B's files is gone while B's worker installs it (dist/ rebuilt once more): the
    // server answers index.html, 200 but not immutable. All or nothing: nothing is kept.
    await context.route(`**${newWasm}`, (route) =>
      route.request().serviceWorker()
        ? route.fulfill({ status: 200, contentType: "text/html", headers: { "cache-control": "no-cache" }, body: indexA })
        : route.fallback(),
    );
    expect(await updateWorker(page)).toBe("redundant");
    expect(await cachesOf(page)).toEqual({ [cacheA]: filesA });
    await context.unrouteAll();

    // dist/ rebuilt between /sw.js and the worker's own request for index.html (here: the
    // worker written for B gets A's index): the index is not the build the worker names.
    await context.route("**/", (route) =>
      route.request().serviceWorker() ? route.fulfill({ status: 200, contentType: "text/html", body: indexA }) : route.fallback(),
    );
    expect(await updateWorker(page)).toBe("redundant");
    expect(await cachesOf(page)).toEqual({ [cacheA]: filesA });
    await context.unrouteAll();

    // Build A's worker is still in charge, and its build still works offline.
    await cutNetwork(page, companion.stop);
    const watch = watchOffline(page);
    expect((await page.reload())!.fromServiceWorker()).toBe(true);
    await expect(page.locator("h1")).toBeVisible();
    await expect(page.locator('meta[name="socklab-build"]')).toHaveCount(0);
    watch.expectNone();
  } finally {
    await context.close();
    await companion.stop();
    rmSync(join(dist, ".."), { recursive: true, force: true });
  }
});
