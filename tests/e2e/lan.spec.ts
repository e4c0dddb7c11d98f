// A classroom's students, as they connect: at the teacher's LAN address over plain http, which is
// not a secure context, so Chromium asks for gzip and never brotli. The namespace this spec makes
// has an interface at 192.0.2.10 (TEST-NET-1, inside the namespace only), which
// `socklab serve --lan` serves the students at. There index.html's loader takes each build's wasm
// in LZMA and decodes it (www/unlzma.js), and issue #15's budget holds for a first visit: what
// the page downloads, as Chromium received it, compressed.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Classroom, openClassroom } from "./classroom-netns";
import { root } from "./helpers";

let room: Classroom;

test.beforeAll(async () => {
  room = await openClassroom(`socklab-e2e-lan-${process.pid}`, "192.0.2.10");
});

test.afterAll(async () => {
  await room?.close();
});

/** The budget for wasm + JS + CSS (and the catalog) as served, as transfer.spec.ts's. */
const BUDGET = 300_000;

type Lang = "en" | "zh-CN";
const visits: ["lite" | "console" | "live", string, Lang][] = [
  ["lite", "/byte-order", "en"],
  ["lite", "/byte-order", "zh-CN"],
  ["console", "/console", "en"],
  ["console", "/console", "zh-CN"],
  ["live", "/live", "en"],
  ["live", "/live", "zh-CN"],
];

for (const [build, path, lang] of visits) {
  test(`a student's first visit to ${path} (the ${build} build) at a LAN address in ${lang}: the wasm in LZMA, at most ${BUDGET} bytes in all`, async () => {
    test.skip(!!room.skipped, room.skipped);
    test.setTimeout(120_000);
    const students = new URL(room.studentsUrl);
    expect(students.hostname, "--lan serves the students at the namespace's LAN address").toBe("192.0.2.10");
    const target = new URL(path, students);
    target.searchParams.set("token", students.searchParams.get("token")!);
    // Everything goes through Chromium, inside the namespace (this process is outside it). The
    // server compresses its assets once, in the background, as it starts, and sends them as
    // they are until then: a first page waits for gzip, then a fresh context (a cold cache)
    // makes the measured visit.
    const warm = await room.browser!.newContext();
    const first = await warm.newPage();
    await first.goto(target.toString());
    const builds = await first.evaluate(() => JSON.parse(/const builds = (\{.*\});/.exec(document.documentElement.outerHTML)![1]));
    const [js, wasm, lzma] = builds[build];
    for (const asset of [js, builds.unlzma]) {
      await expect
        .poll(() => first.evaluate(async (a) => (await fetch(a, { cache: "no-store" })).headers.get("content-encoding"), asset), {
          message: `${asset} in gzip`,
          timeout: 90_000,
          intervals: [250, 500, 1000],
        })
        .toBe("gzip");
    }
    await warm.close();
    const context = await room.browser!.newContext({ locale: lang }); // a cold cache
    const page = await context.newPage();
    const encodings = new Map<string, string>();
    page.on("response", (r) => encodings.set(new URL(r.url()).pathname, r.headers()["content-encoding"] ?? "identity"));

    const started = Date.now();
    await page.goto(target.toString());
    await expect(page.locator("h1")).toBeVisible();
    const rendered = Date.now() - started;
    await expect(page.locator("html")).toHaveAttribute("data-build", build);
    expect(await page.evaluate(() => isSecureContext), "a plain-http LAN page is not a secure context").toBe(false);
    await expect(page.getByTestId("companion-status")).toHaveAttribute("data-state", "connected");
    await page.waitForLoadState("networkidle");

    const received = await page.evaluate(() =>
      performance.getEntriesByType("resource").map((e) => {
        const t = e as PerformanceResourceTiming;
        return { path: new URL(t.name).pathname, bytes: t.encodedBodySize };
      }),
    );
    const paths = received.map((r) => r.path);
    expect(paths, "the wasm in LZMA").toContain(lzma);
    expect(paths, "and not the wasm itself").not.toContain(wasm);
    expect(paths, "with its decoder").toContain(builds.unlzma);
    // What a first visit needs: the build's JS, the wasm in LZMA and its decoder, the CSS, the
    // catalog files, and any data the page fetches as it opens (none of these pages does).
    const counted = received.filter((r) => /-[0-9a-f]{10,16}(_bg)?\.(js|css|lzma|txt|bin)$/.test(r.path) && !r.path.startsWith("/lessons-"));
    let total = 0;
    for (const { path: p, bytes } of counted) {
      const encoding = encodings.get(p);
      console.log(`  ${p}: ${bytes} bytes (${encoding})`);
      if (!p.endsWith(".lzma")) expect(encoding, `${p} in gzip, as Chromium asks at a plain-http address`).toBe("gzip");
      total += bytes;
    }
    console.log(`  ${path} (${build}, ${lang}) at a LAN address: ${total} bytes; first render ${rendered} ms; budget ${BUDGET}`);
    expect(total).toBeLessThanOrEqual(BUDGET);

    if (build === "console") {
      // The decoded wasm runs the console's evaluator.
      const input = page.getByTestId("console-input-1");
      await input.fill("import struct");
      await input.press("Enter");
      await input.fill("struct.pack('>H', 258)");
      await input.press("Enter");
      await expect(page.getByTestId("console-transcript-1")).toContainText("b'\\x01\\x02'");
    }
    await context.close();
  });
}

test("a wasm in LZMA that will not decode: the page takes the wasm itself and works, saying why in the console", async () => {
  test.skip(!!room.skipped, room.skipped);
  const students = new URL(room.studentsUrl);
  const context = await room.browser!.newContext();
  const page = await context.newPage();
  const warnings: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "warning") warnings.push(m.text());
  });
  const asked: string[] = [];
  page.on("request", (r) => asked.push(new URL(r.url()).pathname));
  // A truncated file, as a broken transfer or a proxy that rewrites bodies would leave it
  // (its first kilobyte, read from dist/: this process is outside the namespace and asks the
  // server nothing).
  await page.route(/_bg\.lzma$/, (route) =>
    route.fulfill({
      status: 200,
      contentType: "application/octet-stream",
      body: readFileSync(join(root, "dist", new URL(route.request().url()).pathname.slice(1))).subarray(0, 1000),
    }),
  );
  const target = new URL("/struct", students);
  target.searchParams.set("token", students.searchParams.get("token")!);
  await page.goto(target.toString());
  await expect(page.getByTestId("st-format")).toBeVisible();
  expect(asked.filter((p) => p.endsWith("_bg.lzma"))).toHaveLength(1);
  expect(asked.filter((p) => p.endsWith("_bg.wasm")), "the wasm itself, after the LZMA failed").toHaveLength(1);
  expect(warnings.join("\n")).toContain("socklab: the wasm in LZMA failed, fetching it as it is");
  expect(warnings.join("\n")).toContain("unlzma:");
  await context.close();
});
