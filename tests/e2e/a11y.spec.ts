// Accessibility: axe-core (from npm, injected into the page) finds no serious or critical
// violation on any page, in both languages and both themes, and in presenter mode; keyboard
// focus is always visible; and the hex and bit views name every byte with its field.
import { Browser, expect, Page, test } from "@playwright/test";
import { chooseLang, expectConnected, pageUrl } from "./helpers";

/** Every page, opened where it shows the most (an entry open, a preset with many fields). */
const PAGES: [string, string][] = [
  ["errors", "/errors?e=ECONNREFUSED"],
  ["addresses", "/addresses?af=6"],
  ["hostnames", "/hostnames?net=ethernet"],
  ["live", "/live"],
  ["byte-order", "/byte-order"],
  ["struct", "/struct?fmt=%40bhiq&args=1%2C+2%2C+3%2C+4"],
  ["text", "/text"],
  ["console", "/console"],
];

type Violation = { id: string; impact: string; help: string; nodes: { target: string[]; failureSummary: string }[] };

/** axe's serious and critical violations on the page as it is. */
async function seriousViolations(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const violations: Violation[] = await page.evaluate(async () => {
    // @ts-expect-error: axe is the script just injected.
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations;
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

function describe(violations: Violation[]): string {
  return violations
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(" ")}: ${n.failureSummary}`).join("\n")}`)
    .join("\n");
}

async function open(browser: Browser, path: string, scheme: "light" | "dark", lang: string, width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
  const page = await context.newPage();
  await page.goto(pageUrl(path));
  await chooseLang(page, lang);
  await expectConnected(page);
  return { context, page };
}

for (const [name, path] of PAGES) {
  test(`axe: no serious or critical violation on ${name}, en and zh, light and dark, and presenting`, async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const found: string[] = [];
    for (const scheme of ["light", "dark"] as const) {
      for (const lang of ["en", "zh-CN"]) {
        for (const present of [false, true]) {
          // Presenting is checked at a projector's width, in both themes, in one language each.
          if (present && lang !== (scheme === "light" ? "en" : "zh-CN")) continue;
          const sep = path.includes("?") ? "&" : "?";
          const { context, page } = await open(
            browser,
            present ? `${path}${sep}present=1` : path,
            scheme,
            lang,
            present ? 1920 : 1280,
          );
          const violations = await seriousViolations(page);
          if (violations.length) found.push(`${name} ${lang} ${scheme}${present ? " presenting" : ""}:\n${describe(violations)}`);
          await context.close();
        }
      }
    }
    expect(found, found.join("\n\n")).toEqual([]);
  });
}

test("axe: the QR dialog open has no serious or critical violation", async ({ browser }) => {
  for (const scheme of ["light", "dark"] as const) {
    const { context, page } = await open(browser, "/byte-order", scheme, "zh-CN");
    await page.getByTestId("qr-open").click();
    await expect(page.getByTestId("qr-code")).toBeVisible();
    const violations = await seriousViolations(page);
    expect(violations, describe(violations)).toEqual([]);
    await context.close();
  }
});

test("keyboard focus is visible on everything Tab reaches", async ({ browser }) => {
  test.setTimeout(120_000);
  const unseen: string[] = [];
  for (const [name, path] of PAGES) {
    for (const scheme of ["light", "dark"] as const) {
      const { context, page } = await open(browser, path, scheme, "en");
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press("Tab");
        const focus = await page.evaluate(() => {
          const e = document.activeElement as HTMLElement | null;
          if (!e || e === document.body) return null;
          const s = getComputedStyle(e);
          const box = e.getBoundingClientRect();
          return {
            what: `${e.tagName.toLowerCase()}${e.dataset.testid ? `[${e.dataset.testid}]` : ""} "${(e.textContent ?? "").trim().slice(0, 30)}"`,
            outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2,
            sized: box.width > 0 && box.height > 0,
          };
        });
        if (!focus) break;
        if (!focus.outline || !focus.sized) unseen.push(`${name} ${scheme}: ${focus.what}`);
      }
      await context.close();
    }
  }
  expect(unseen, unseen.join("\n")).toEqual([]);
});

test("a screen reader hears every byte with its field: hex and bit views", async ({ page }) => {
  await page.goto(pageUrl("/struct?fmt=%3EHx4s&args=256%2C+b%27data%27"));
  const hex = page.getByTestId("st-hex");
  await expect(hex.locator("li").first()).toBeVisible(); // rendered (after the catalog came)
  const names = await hex.locator("li").evaluateAll((lis) => lis.map((li) => li.getAttribute("aria-label")));
  expect(names.slice(0, 3)).toEqual(["byte 0: 01, H", "byte 1: 00, H", expect.stringMatching(/^byte 2: 00, /)]);
  expect(names[3]).toBe("byte 3: 64, 4s");
  // The accessible names are what assistive technology gets, not just attributes.
  await expect(page.getByRole("listitem", { name: "byte 0: 01, H" })).toHaveCount(1);
  // Byte order: each byte's bits of the integer, in the hex boxes and the bit rows.
  await page.goto(pageUrl("/byte-order"));
  const big = page.locator('[data-order="big"]');
  await expect(big.getByRole("listitem", { name: "byte 0: 01, bits 15–8" })).toHaveCount(1);
  await expect(big.getByRole("listitem", { name: "byte 1: 00000000, bits 7–0" })).toHaveCount(1);
  const little = page.locator('[data-order="little"]');
  await expect(little.getByRole("listitem", { name: "byte 0: 00, bits 7–0" })).toHaveCount(1);
  // In Chinese too.
  await chooseLang(page, "zh-CN");
  await expect(big.getByRole("listitem", { name: "第 0 个字节：01，第 15–8 位" })).toHaveCount(1);
  // The address page's sockaddr bytes name their C fields.
  await page.goto(pageUrl("/addresses"));
  await chooseLang(page, "en");
  const sockaddr = page.getByTestId("addr-sockaddr");
  await expect(sockaddr.getByRole("listitem", { name: /^byte 2: ff, sin_port$/ })).toHaveCount(1);
});
