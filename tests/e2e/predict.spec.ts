// Predict, then run, end to end: on every page one exercise answered wrong and then right, in
// English and in Chinese, checked against what python3 prints for the same lines; the tick that
// survives a reload; the teacher's `r`; and screenshots of an exercise in both languages.
import { expect, Locator, Page, test } from "@playwright/test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { catalog, chooseLang, expectConnected, pageUrl, screenshotMatrix, watchErrors } from "./helpers";

type Exercise = { id: string; page: string; setup: string[]; line: string };

/** crates/core/data/exercises.txt, read as socklab-core reads it. */
function exercises(): Map<string, Exercise> {
  const text = readFileSync(join(__dirname, "..", "..", "crates", "core", "data", "exercises.txt"), "utf8");
  const all = new Map<string, Exercise>();
  let current: Exercise | undefined;
  for (const line of text.split("\n")) {
    const open = line.match(/^\[(.+)\]$/);
    if (open) {
      current = { id: open[1], page: "", setup: [], line: "" };
      all.set(current.id, current);
      continue;
    }
    const at = line.indexOf(" = ");
    if (!current || line.startsWith("#") || at < 0) continue;
    const [field, value] = [line.slice(0, at), line.slice(at + 3)];
    if (field === "setup") current.setup.push(value);
    else if (field === "page" || field === "line") current[field] = value;
  }
  return all;
}

/** The last line python3 prints for an exercise's lines: the repr, or the exception's line. */
function python(e: Exercise): string {
  const { spawnSync } = require("node:child_process");
  const script = [...e.setup, `print(repr(${e.line}))`].join("\n");
  const run = spawnSync("python3", ["-c", script], { encoding: "utf8" });
  return run.status === 0 ? run.stdout.trim() : run.stderr.trim().split("\n").pop();
}

/** One exercise per page: a wrong answer, then the right one (typed, or the choice to pick). */
const CASES: { id: string; wrong: string; right: string }[] = [
  { id: "errors.timeout_alias", wrong: "<class 'socket.timeout'>", right: "<class 'TimeoutError'>" },
  { id: "addresses.inet_aton_short", wrong: "b'127.1'", right: "b'\\x7f\\x00\\x00\\x01'" },
  { id: "hostnames.not_a_name", wrong: "b'\\x7f\\x00\\x00\\x01'", right: "OSError" },
  { id: "live.eof", wrong: "ConnectionResetError", right: "b''" },
  { id: "live.nonblocking", wrong: "TimeoutError", right: "BlockingIOError" },
  { id: "byteorder.htons_overflow", wrong: "4464", right: "OverflowError" },
  { id: "struct.calcsize_native", wrong: "8", right: "10" },
  { id: "text.len_utf8", wrong: "2", right: "6" },
  { id: "console.bytes_vs_str", wrong: "True", right: "False" },
];

const ALL = exercises();

/** Gives `said` as the answer: typed and Enter, or picked and "Check". */
async function answer(card: Locator, said: string) {
  const radios = card.getByTestId("predict-choice");
  if ((await radios.count()) > 0) {
    await card.locator(`input[type=radio][value="${said.replace(/["\\]/g, "\\$&")}"]`).check();
    await card.getByTestId("predict-check").click();
  } else {
    const input = card.getByTestId("predict-input");
    await input.fill(said);
    await input.press("Enter");
  }
}

function card(page: Page, id: string): Locator {
  return page.locator(`[data-testid=predict-exercise][data-id="${id}"]`);
}

for (const lang of ["en", "zh-CN"] as const) {
  test(`every page: an exercise answered wrong, then right (${lang})`, async ({ page }) => {
    test.setTimeout(90_000);
    const watch = watchErrors(page);
    const texts = catalog(lang);
    await page.goto(pageUrl("/byte-order"));
    await chooseLang(page, lang);
    await expectConnected(page);
    const pages = new Set<string>();
    for (const c of CASES) {
      const e = ALL.get(c.id)!;
      expect(e, c.id).toBeTruthy();
      pages.add(e.page);
      await page.goto(pageUrl(e.page));
      await expectConnected(page);
      await expect(page.getByTestId("predict").locator("h2")).toHaveText(texts.get("predict.title")!);
      const ex = card(page, c.id);
      await expect(ex.getByTestId("predict-question")).toContainText(e.line);

      await answer(ex, c.wrong);
      await expect(ex).toHaveAttribute("data-phase", "wrong");
      await expect(ex.getByTestId("predict-wrong")).toContainText(texts.get("predict.wrong")!.replace("{said}", c.wrong));
      await expect(ex.getByTestId("predict-answer")).toHaveCount(0);
      await ex.getByTestId("predict-again").click();
      await expect(ex).toHaveAttribute("data-phase", "open");

      await answer(ex, c.right);
      await expect(ex).toHaveAttribute("data-phase", "right");
      await expect(ex.getByTestId("predict-right")).toContainText(texts.get("predict.right")!);
      // What socklab shows is what python3 prints for the same lines, and the why is in the
      // page's language.
      await expect(ex.getByTestId("predict-printed")).toContainText(python(e));
      await expect(ex.getByTestId("predict-why")).toContainText(texts.get(`why.${e.id}`)!);
      await expect(ex.getByTestId("predict-tick")).toBeVisible();
    }
    // Every page took part.
    expect([...pages].sort()).toEqual(
      ["/addresses", "/byte-order", "/console", "/errors", "/hostnames", "/live", "/struct", "/text"],
    );
    watch.expectNone();
  });
}

test("a right answer's tick survives a reload, in this browser only", async ({ page, browser }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/struct"));
  const ex = card(page, "struct.calcsize_standard");
  await expect(ex.getByTestId("predict-tick")).toHaveCount(0);
  await answer(ex, "8");
  await expect(ex).toHaveAttribute("data-phase", "right");
  await page.reload();
  await expect(ex).toHaveAttribute("data-phase", "open");
  await expect(ex.getByTestId("predict-tick")).toBeVisible();
  // Only the exercise answered right.
  await expect(card(page, "struct.calcsize_native").getByTestId("predict-tick")).toHaveCount(0);
  const stored = await page.evaluate(() => localStorage.getItem("socklab.predict.solved"));
  expect(stored).toBe("struct.calcsize_standard");
  // Another browser profile knows nothing of it.
  const other = await browser.newContext();
  const fresh = await other.newPage();
  await fresh.goto(pageUrl("/struct"));
  await expect(card(fresh, "struct.calcsize_standard")).toHaveAttribute("data-phase", "open");
  await expect(card(fresh, "struct.calcsize_standard").getByTestId("predict-tick")).toHaveCount(0);
  await other.close();
  watch.expectNone();
});

test("the teacher reveals with r while an exercise has focus; in the answer field r is typed", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/byte-order"));
  const en = catalog("en");
  const ex = card(page, "byteorder.htons_one");
  await expect(ex).toHaveAttribute("aria-keyshortcuts", "r");
  await expect(ex).toHaveAttribute("title", en.get("predict.keys")!);
  const input = ex.getByTestId("predict-input");
  await input.press("r");
  await expect(input).toHaveValue("r");
  await expect(ex).toHaveAttribute("data-phase", "open");
  // Tab order reaches the exercise itself; r there shows the answer.
  await ex.focus();
  await page.keyboard.press("r");
  await expect(ex).toHaveAttribute("data-phase", "revealed");
  await expect(ex.getByTestId("predict-printed")).toHaveText(python(ALL.get("byteorder.htons_one")!));
  await expect(ex.getByTestId("predict-right")).toHaveCount(0);
  await expect(ex.getByTestId("predict-tick")).toHaveCount(0);
  // A wrong answer can be followed by "Show the answer", from the keyboard alone.
  const other = card(page, "byteorder.to_bytes_little");
  await other.getByTestId("predict-input").fill("b'\\x01\\x00'");
  await other.getByTestId("predict-input").press("Enter");
  await expect(other).toHaveAttribute("data-phase", "wrong");
  // The focus waits on "Try again"; Enter there gives the field back, ready to type.
  await expect(other.getByTestId("predict-again")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(other.getByTestId("predict-input")).toBeFocused();
  await page.keyboard.press("Control+A");
  await page.keyboard.type("b'\\x00'");
  await page.keyboard.press("Enter");
  await expect(other).toHaveAttribute("data-phase", "wrong");
  await page.keyboard.press("Tab");
  await expect(other.getByTestId("predict-reveal")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(other).toHaveAttribute("data-phase", "revealed");
  await expect(other.getByTestId("predict-printed")).toHaveText("b'\\x00\\x01'");
  watch.expectNone();
});

test("screenshots: an exercise wrong, one right and one revealed, in en and zh", async ({ browser }) => {
  test.setTimeout(120_000);
  const prepare = async (page: Page) => {
    const native = card(page, "struct.calcsize_native");
    await answer(native, "8");
    await expect(native).toHaveAttribute("data-phase", "wrong");
    const standard = card(page, "struct.calcsize_standard");
    await answer(standard, "8");
    await expect(standard).toHaveAttribute("data-phase", "right");
    const guide = card(page, "struct.pack_guide");
    await guide.focus();
    await page.keyboard.press("r");
    await expect(guide).toHaveAttribute("data-phase", "revealed");
  };
  await screenshotMatrix(browser, "predict-struct", "/struct", prepare);
  // The section alone, easier to read than the whole page.
  mkdirSync("tests/e2e/screenshots", { recursive: true });
  for (const lang of ["en", "zh-CN"]) {
    for (const width of [1280, 390]) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto(pageUrl("/struct"));
      await chooseLang(page, lang);
      await prepare(page);
      await page.getByTestId("predict").screenshot({ path: `tests/e2e/screenshots/predict-section-${lang}-${width}.png` });
      await context.close();
    }
  }
});
