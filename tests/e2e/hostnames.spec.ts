// The hostnames page end to end: the seed's recommendation table as a helper, and screenshots.
import { expect, test } from "@playwright/test";
import { expectConnected, pageUrl, screenshotMatrix, watchErrors } from "./helpers";

test("the helper walks the seed's four rows and warns about names", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/hostnames"));
  await expectConnected(page);
  const advice = page.getByTestId("host-advice").locator("code");
  await expect(advice).toHaveText("'127.0.0.1'");
  await expect(page.locator('[data-testid="host-table"] tr.current')).toHaveAttribute("data-row", "0");
  await page.getByTestId("host-ethernet").click();
  await page.getByTestId("host-all").check();
  await expect(advice).toHaveText("''");
  await expect(page.getByTestId("host-code")).toContainText("s.bind(('', 65432))");
  await page.getByTestId("host-client").click();
  await page.getByTestId("host-address").fill("www.example.com");
  await expect(page.getByTestId("host-code")).toContainText("s.connect(('www.example.com', 65432))");
  await expect(page.getByTestId("host-name-warning")).toBeVisible();
  await expect(page.locator('[data-testid="host-table"] tr.current')).toHaveAttribute("data-row", "3");
  await page.getByTestId("host-v6").click();
  await page.getByTestId("host-loopback").click();
  await expect(advice).toHaveText("'::1'");
  await page.reload();
  await expect(advice).toHaveText("'::1'");
  watch.expectNone();
});

test("screenshots of the hostnames page: zh and en, light and dark, 1280 and 390 px", async ({ browser }) => {
  await screenshotMatrix(browser, "hostnames", "/hostnames?role=client&net=ethernet&addr=www.example.com");
});

test("resolving localhost live shows this machine's answer, in its order", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/hostnames"));
  await expectConnected(page);
  await page.getByTestId("localhost-result-run").click();
  const { spawnSync } = require("node:child_process");
  const want = spawnSync("python3", ["-c", "import socket\nprint(repr(socket.getaddrinfo('localhost', None, type=socket.SOCK_STREAM)))"], { encoding: "utf8" }).stdout.trim();
  await expect(page.getByTestId("localhost-result")).toHaveText(want);
  watch.expectNone();
});
