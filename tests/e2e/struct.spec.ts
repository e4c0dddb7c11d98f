// The struct page end to end: typing a format and values, the annotated hex view, errors with
// a caret, the URL, the platform comparison, and screenshots.
import { expect, test } from "@playwright/test";
import { catalog, chooseLang, expectConnected, pageUrl, screenshotMatrix, watchErrors } from "./helpers";

const result = (page) => page.getByTestId("st-call").getByTestId("py-result");

test("typing a format and values fills the annotated hex view", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/struct"));
  await expectConnected(page);
  await page.getByTestId("st-format").fill(">HH4s");
  await page.getByTestId("st-args").fill("1, 2, b'data'");
  await expect(result(page)).toHaveText("b'\\x00\\x01\\x00\\x02data'");
  const cells = page.getByTestId("st-hex").locator("li");
  await expect(cells).toHaveCount(8);
  await expect(cells.locator(".cell-hex")).toHaveText(["00", "01", "00", "02", "64", "61", "74", "61"]);
  const fields = await cells.evaluateAll((els) => els.map((e) => e.getAttribute("data-field")));
  expect(fields).toEqual(["0", "0", "1", "1", "2", "2", "2", "2"]);
  // Hover a byte of the 4s field: its bytes and its legend row light up, and nothing else.
  await cells.nth(5).hover();
  await expect(page.locator(".cell.hl")).toHaveCount(4);
  await expect(page.locator("table.legend tr.hl")).toHaveAttribute("data-field", "2");
  await expect(page.locator("table.legend tr.hl td").last()).toHaveText("b'data'");
  // Focus from the keyboard does the same for a legend row and the bytes it owns.
  await page.mouse.move(0, 0);
  await page.locator('table.legend tr[data-field="0"]').focus();
  await expect(page.locator(".cell.hl")).toHaveCount(2);
  watch.expectNone();
});

test("an error points at the offending character, with CPython's message and a hint", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/struct"));
  await chooseLang(page, "zh-CN");
  await page.getByTestId("st-format").fill(">hh<");
  await expect(result(page)).toContainText("struct.error: bad char in struct format");
  await expect(page.getByTestId("st-caret").locator("mark")).toHaveText("<");
  await expect(page.getByTestId("st-caret")).toContainText("   ^");
  const hint = catalog("zh-CN").get("hint.struct_prefix_first")!.replace("{code}", "<");
  await expect(page.getByTestId("st-call").locator(".hint")).toContainText(hint);
  // A value out of range points at its field.
  await page.getByTestId("st-format").fill("<bH");
  await page.getByTestId("st-args").fill("1, 70000");
  await expect(result(page)).toContainText("struct.error: ushort format requires 0 <= number <= 65535");
  await expect(page.getByTestId("st-caret").locator("mark")).toHaveText("H");
  watch.expectNone();
});

test("unpacking, iter_unpack, the URL and the platform comparison", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/struct"));
  await page.getByTestId("preset-length").click();
  await page.getByTestId("st-unpack-these").click();
  await expect(result(page)).toHaveText(
    String.raw`(50, b'{"content-encoding": "utf-8", "content-length": 6}', b'\xe4\xb8\xad\xe6\x96\x87')`,
  );
  await page.getByTestId("st-format").fill(">H");
  await page.getByTestId("st-iter").check();
  await expect(result(page)).toContainText("[(50,), (31522,)");
  await page.reload();
  await expect(page.getByTestId("st-format")).toHaveValue(">H");
  await expect(page.getByTestId("st-iter")).toBeChecked();
  await expect(result(page)).toContainText("[(50,), (31522,)");
  // Native mode: the same format on five ABIs, with the differences marked.
  await page.getByTestId("st-mode-pack").click();
  await page.getByTestId("st-format").fill("@cl");
  await page.getByTestId("st-args").fill("b'x', 1");
  const table = page.getByTestId("st-abis");
  await expect(table.locator("thead th")).toHaveCount(6);
  await expect(table.locator("tr.total td")).toHaveText(["16", "8", "8", "16", "16"]);
  await page.getByTestId("st-abi").selectOption("windows-x64");
  await expect(result(page)).toHaveText("b'x\\x00\\x00\\x00\\x01\\x00\\x00\\x00'");
  await expect(page.getByTestId("st-pad-notes")).toContainText("3");
  watch.expectNone();
});

test("screenshots of the struct page: zh and en, light and dark, 1280 and 390 px", async ({ browser }) => {
  await screenshotMatrix(browser, "struct", "/struct?fmt=%40bhlq&args=1%2C+-2%2C+3%2C+4", async (page) => {
    await page.getByTestId("st-hex").locator("li").nth(4).hover();
  });
});

test("the byte-order page takes floats apart: 2.7 as a float32 and back", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/byte-order"));
  const parts = page.getByTestId("float-parts");
  // The bits as shown; a screen reader hears "exponent" before them (a visually hidden label).
  await expect(parts.locator(".fb-exp")).toHaveText(/^(exponent )?10000000$/);
  await expect(parts.locator(".fb-exp .sr-only")).toHaveText("exponent ");
  const call = (code: string) => parts.locator(`.pycall[data-code="${code}"] [data-testid="py-result"]`);
  await expect(call("struct.pack('>f', 2.7)")).toHaveText("b'@,\\xcc\\xcd'");
  await expect(call("struct.unpack('>f', struct.pack('>f', 2.7))[0]")).toHaveText("2.700000047683716");
  await page.getByTestId("float-e").click();
  await page.getByTestId("bo-float").fill("-0.0");
  await expect(parts).toHaveAttribute("data-kind", "Zero");
  await expect(parts.locator(".fb-sign")).toHaveText(/^(sign )?1$/);
  await page.getByTestId("bo-float").fill("70000");
  await expect(page.getByTestId("py-error").last()).toHaveText("struct.error: int too large to convert");
  await page.reload();
  await expect(page.getByTestId("bo-float")).toHaveValue("70000");
  watch.expectNone();
});
