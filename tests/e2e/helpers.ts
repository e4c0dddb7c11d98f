// Shared pieces of the end-to-end tests.
import { Browser, expect, Page } from "@playwright/test";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** The URL `socklab serve` printed, token included. */
export function serverUrl(): string {
  const url = process.env.SOCKLAB_URL;
  if (!url) throw new Error("SOCKLAB_URL is not set: run the suite through `cargo xtask test`");
  return url;
}

/** The same server with a path and query, and the token. */
export function pageUrl(pathAndQuery: string): string {
  const base = new URL(serverUrl());
  const target = new URL(pathAndQuery, base.origin);
  target.searchParams.set("token", base.searchParams.get("token") ?? "");
  return target.toString();
}

/** The repository's root. */
export const root = join(__dirname, "..", "..");

/** Every page's path, read from src/route.rs (`Route::path`), so a new page is tested too. */
export function routes(): string[] {
  const source = readFileSync(join(root, "src", "route.rs"), "utf8");
  const body = source.slice(source.indexOf("pub fn path(self)"), source.indexOf("pub fn title_key"));
  const paths = [...body.matchAll(/Route::\w+ => "(\/[^"]*)"/g)].map((m) => m[1]);
  const count = Number(/pub const ALL: \[Route; (\d+)\]/.exec(source)![1]);
  expect(paths.length, "a path for every Route::ALL").toBe(count);
  return paths;
}

/** A `socklab serve` of a test's own: its URL (token included), and how to stop it. */
export interface OwnCompanion {
  url: string;
  /** Kills it and waits until it is gone, so nothing answers at its address any more. */
  stop: () => Promise<void>;
}

/**
 * Starts the suite's `socklab` binary serving `dist` on a free port, for a test that must stop
 * its server or change what it serves without disturbing the suite's own.
 */
export async function serveDist(dist: string): Promise<OwnCompanion> {
  const binary = process.env.SOCKLAB_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "debug", "socklab");
  const child = spawn(binary, ["serve", "--port", "0", "--dist", dist], { stdio: ["ignore", "pipe", "ignore"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once("line", (line) => resolve(line.trim()));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`socklab serve exited (${code}) before printing its URL`)));
  });
  lines.on("line", () => {}); // keep reading, so the server never blocks on a full pipe
  return {
    url,
    stop: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Collects console errors and uncaught exceptions; call `expectNone()` at the end. */
export function watchErrors(page: Page) {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return { errors, expectNone: () => expect(errors, errors.join("\n")).toEqual([]) };
}

/**
 * A language's catalog as key → text, as socklab-core parses it: all its files (the texts every
 * page may use, and in locales/<build>/ those only one build's pages use) joined.
 */
export function catalog(lang: "en" | "zh-CN"): Map<string, string> {
  const locales = join(__dirname, "..", "..", "locales");
  const text = [join(locales, `${lang}.txt`), ...["lite", "console", "live"].map((build) => join(locales, build, `${lang}.txt`))]
    .map((file) => readFileSync(file, "utf8"))
    .join("\n");
  const entries = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const at = line.indexOf(" = ");
    if (at > 0) entries.set(line.slice(0, at).trim(), line.slice(at + 3).trim());
  }
  return entries;
}

/** The page's visible prose: body text without code, pre and the language buttons' own names. */
export async function proseText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const clone = document.body.cloneNode(true) as HTMLElement;
    clone.querySelectorAll("pre, code, input, .lang, noscript, script").forEach((e) => e.remove());
    return clone.innerText;
  });
}

/** Waits until the header says the companion is connected. */
export async function expectConnected(page: Page) {
  await expect(page.getByTestId("companion-status")).toHaveAttribute("data-state", "connected");
}

/**
 * Screenshots a page in both languages, both themes, at 1280 and 390 px, after `prepare`,
 * checking that nothing overflows the viewport sideways. Files: tests/e2e/screenshots/NAME-LANG-THEME-WIDTH.png
 */
export async function screenshotMatrix(
  browser: Browser,
  name: string,
  pathAndQuery: string,
  prepare: (page: Page) => Promise<void> = async () => {},
) {
  mkdirSync("tests/e2e/screenshots", { recursive: true });
  for (const width of [1280, 390]) {
    for (const scheme of ["light", "dark"] as const) {
      for (const lang of ["en", "zh-CN"]) {
        const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
        const page = await context.newPage();
        await page.goto(pageUrl(pathAndQuery));
        await chooseLang(page, lang);
        await expectConnected(page);
        await prepare(page);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `horizontal overflow at ${width}px ${lang} ${scheme}`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: `tests/e2e/screenshots/${name}-${lang}-${scheme}-${width}.png`, fullPage: true });
        await context.close();
      }
    }
  }
}

/**
 * Switches the page's language by its button and waits until the page speaks it: the other
 * language's catalog may have to be fetched first, so the switch is not instant.
 */
export async function chooseLang(page: Page, lang: string) {
  await page.getByTestId(`lang-${lang}`).click();
  await expect(page.locator("html")).toHaveAttribute("lang", lang);
  await expect(page.getByTestId(`lang-${lang}`)).toHaveAttribute("aria-pressed", "true");
}
