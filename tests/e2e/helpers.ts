// Shared pieces of the end-to-end tests.
import { expect, Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

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

/** Collects console errors and uncaught exceptions; call `expectNone()` at the end. */
export function watchErrors(page: Page) {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return { errors, expectNone: () => expect(errors, errors.join("\n")).toEqual([]) };
}

/** A catalog file as key → text, as socklab-core parses it. */
export function catalog(lang: "en" | "zh-CN"): Map<string, string> {
  const text = readFileSync(join(__dirname, "..", "..", "locales", `${lang}.txt`), "utf8");
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
