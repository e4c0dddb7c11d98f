// Layouts from a phone to a projector: every page at 390, 1280 and 1920 px, and in presenter
// mode at 1920 px, in both languages (English light, Chinese dark), with nothing overflowing
// sideways. Files: tests/e2e/screenshots/layout-PAGE-LANG-THEME-WIDTH[-present].png
import { expect, test } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { chooseLang, expectConnected, pageUrl } from "./helpers";

const PAGES: [string, string][] = [
  ["errors", "/errors?e=ECONNREFUSED"],
  ["addresses", "/addresses"],
  ["hostnames", "/hostnames?net=ethernet"],
  ["live", "/live"],
  ["byte-order", "/byte-order"],
  ["struct", "/struct?fmt=%21BBHHHBBH4s4s&args=0x45%2C+0%2C+40%2C+1%2C+0%2C+64%2C+6%2C+0%2C+b%27%5Cx7f%5Cx00%5Cx00%5Cx01%27%2C+b%27%5Cx7f%5Cx00%5Cx00%5Cx01%27"],
  ["text", "/text"],
  ["console", "/console?p1=import+socket&p2=socket.htons%28256%29"],
];

const VARIANTS = [
  { width: 390, present: false },
  { width: 1280, present: false },
  { width: 1920, present: false },
  { width: 1920, present: true },
];

for (const [name, path] of PAGES) {
  test(`layout of ${name}: 390, 1280 and 1920 px, and presenting at 1920, nothing overflowing`, async ({ browser }) => {
    test.setTimeout(120_000);
    mkdirSync("tests/e2e/screenshots", { recursive: true });
    for (const { width, present } of VARIANTS) {
      for (const [lang, scheme] of [["en", "light"], ["zh-CN", "dark"]] as const) {
        const height = width === 390 ? 844 : width === 1280 ? 800 : 1080;
        const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme });
        const page = await context.newPage();
        const sep = path.includes("?") ? "&" : "?";
        await page.goto(pageUrl(present ? `${path}${sep}present=1` : path));
        await chooseLang(page, lang);
        await expectConnected(page);
        await expect(page.getByTestId("present-toggle")).toHaveAttribute("aria-pressed", String(present));
        const where = `${name} ${width}px ${lang} ${scheme}${present ? " presenting" : ""}`;
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `horizontal overflow: ${where}`).toBeLessThanOrEqual(0);
        if (present) {
          const body = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
          expect(body, `body text while presenting: ${where}`).toBeGreaterThanOrEqual(28);
        }
        const file = `layout-${name}-${lang}-${scheme}-${width}${present ? "-present" : ""}.png`;
        await page.screenshot({ path: `tests/e2e/screenshots/${file}`, fullPage: true });
        await context.close();
      }
    }
  });
}
