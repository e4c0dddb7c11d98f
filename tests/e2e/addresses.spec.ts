// The address-families page end to end: the tuple builder, CPython's errors, the sockaddr
// bytes, the two address parsers side by side, and screenshots.
import { expect, test } from "@playwright/test";
import { expectConnected, pageUrl, screenshotMatrix, watchErrors } from "./helpers";

test("a loopback tuple is checked, classified and laid out as sockaddr_in", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/addresses"));
  await expectConnected(page);
  await expect(page.getByTestId("addr-snippet")).toContainText("s.bind(('127.0.0.1', 65432))");
  await expect(page.locator('[data-flag="is_loopback"] .py-out')).toHaveText("True");
  await expect(page.getByTestId("addr-sockaddr").locator(".cell-hex")).toHaveText(
    ["02", "00", "ff", "98", "7f", "00", "00", "01", "00", "00", "00", "00", "00", "00", "00", "00"],
  );
  await page.getByTestId("addr-port").fill("70000");
  await expect(page.getByTestId("py-error").first()).toHaveText("OverflowError: bind(): port must be 0-65535.");
  await page.getByTestId("caller-connect").click();
  await expect(page.getByTestId("py-error").first()).toHaveText("OverflowError: connect(): port must be 0-65535.");
  await page.getByTestId("addr-port").fill("'80'");
  await expect(page.getByTestId("py-error").first()).toHaveText("TypeError: 'str' object cannot be interpreted as an integer");
  watch.expectNone();
});

test("IPv6: flowinfo, no broadcast, a mapped address, and the URL keeps it all", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/addresses"));
  await page.getByTestId("af-10").click();
  await expect(page.getByTestId("addr-host")).toHaveValue("::1");
  await page.getByTestId("addr-flowinfo").fill("1048576");
  await expect(page.getByTestId("py-error").first()).toHaveText("OverflowError: bind(): flowinfo must be 0-1048575.");
  await page.getByTestId("addr-flowinfo").fill("");
  await page.getByTestId("addr-host").fill("<broadcast>");
  await expect(page.getByTestId("py-error").first()).toHaveText("OSError: address family mismatched");
  await page.getByTestId("addr-host").fill("::ffff:127.0.0.1");
  await expect(page.getByTestId("addr-valid")).toContainText("127.0.0.1");
  await expect(page.getByTestId("addr-sockaddr").locator("li")).toHaveCount(28);
  await page.reload();
  await expect(page.getByTestId("addr-host")).toHaveValue("::ffff:127.0.0.1");
  watch.expectNone();
});

test("inet_aton and inet_pton disagree on legacy forms, and the page says why that matters", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/addresses"));
  await page.getByTestId("addr-compare").fill("0177.0.0.1");
  const result = (code: string) => page.locator(`.pycall[data-code="${code}"] [data-testid="py-result"]`);
  await expect(result("socket.inet_aton('0177.0.0.1')")).toHaveText("b'\\x7f\\x00\\x00\\x01'");
  await expect(result("socket.inet_pton(socket.AF_INET, '0177.0.0.1')")).toContainText(
    "OSError: illegal IP address string passed to inet_pton",
  );
  await expect(page.getByTestId("addr-disagree")).toBeVisible();
  await page.getByTestId("addr-compare").fill("127.0.0.1");
  await expect(page.getByTestId("addr-disagree")).toHaveCount(0);
  watch.expectNone();
});

test("screenshots of the address page: zh and en, light and dark, 1280 and 390 px", async ({ browser }) => {
  await screenshotMatrix(browser, "addresses", "/addresses?cmp=0x7f.1");
});

/** What CPython prints for `repr(expr)` here, or the last line of its traceback. */
function python(expr: string): string {
  const { spawnSync } = require("node:child_process");
  const run = spawnSync("python3", ["-c", `import socket\nprint(repr(${expr}))`], { encoding: "utf8" });
  return run.status === 0 ? run.stdout.trim() : run.stderr.trim().split("\n").pop();
}

test("live getaddrinfo through the companion prints what CPython prints here", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/addresses"));
  await expectConnected(page);
  await page.getByTestId("gai-family").selectOption("2");
  await page.getByTestId("gai-result-run").click();
  const want = python("socket.getaddrinfo('localhost', 80, family=socket.AF_INET, type=socket.SOCK_STREAM)");
  expect(want).toContain("SocketKind.SOCK_STREAM");
  await expect(page.getByTestId("gai-result")).toHaveText(want);
  // A gaierror, without any DNS traffic: AI_NUMERICHOST refuses names.
  await page.getByTestId("gai-host").fill("not-a-number");
  await page.getByTestId("gai-AI_NUMERICHOST").check();
  await expect(page.getByTestId("gai-result")).toHaveCount(0);
  await page.getByTestId("gai-result-run").click();
  await expect(page.getByTestId("gai-result")).toContainText(
    python("socket.getaddrinfo('not-a-number', 80, family=socket.AF_INET, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)"),
  );
  watch.expectNone();
});

test("getaddrinfo with proto=, and its first answer used as a client does, in the console", async ({ page }) => {
  const { createServer } = await import("node:net");
  const server = createServer((c) => c.end());
  const port: number = await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
  try {
    await page.goto(pageUrl(`/addresses?gh=127.0.0.1&gp=${port}&gf=2&gt=1&gr=6`));
    await expectConnected(page);
    await expect(page.getByTestId("gai-proto")).toHaveValue("6");
    await page.getByTestId("gai-result-run").click();
    const call = `socket.getaddrinfo('127.0.0.1', ${port}, family=socket.AF_INET, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)`;
    const { execFileSync } = await import("node:child_process");
    const python = execFileSync("python3", ["-c", `import socket; print(${call})`], { encoding: "utf8" }).trim();
    await expect(page.getByTestId("gai-result")).toHaveText(python);
    await page.getByTestId("gai-connect").click();
    await expect(page).toHaveURL(/\/console\?p1=/);
    await page.getByTestId("console-run-all").click();
    const pane = page.getByTestId("console-transcript-1");
    await expect(pane).toHaveAttribute("data-state", "done");
    const first = execFileSync("python3", ["-c", `import socket; print(repr(${call}[0]))`], { encoding: "utf8" }).trim();
    await expect(pane).toHaveAttribute("data-text", new RegExp(`\\n>>> res\\[0\\]\\n${first.replace(/[()[\]\\.*+?^$|{}]/g, "\\$&")}\\n`));
    await expect(pane).toHaveAttribute("data-text", new RegExp(`\\n>>> s\\.getpeername\\(\\)\\n\\('127\\.0\\.0\\.1', ${port}\\)$`));
  } finally {
    server.close();
  }
});
