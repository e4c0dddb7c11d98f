// The live pieces end to end against a real companion: the errors page's "reproduce it live"
// button, the blocking & closing page's scenarios, its language switch, and screenshots.
import { expect, test } from "@playwright/test";
import { catalog, chooseLang, expectConnected, pageUrl, screenshotMatrix, watchErrors } from "./helpers";

test("the ECONNREFUSED entry reproduces the error for real", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/errors?e=ECONNREFUSED"));
  await expectConnected(page);
  const scenario = page.getByTestId("scenario-econnrefused");
  await scenario.getByTestId("scenario-econnrefused-run").click();
  const transcript = scenario.getByTestId("scenario-transcript");
  await expect(transcript).toContainText("ConnectionRefusedError: [Errno 111] Connection refused");
  await expect(transcript).toContainText(">>> s2 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)");
  await expect(transcript.locator(".step-out.py-err")).toHaveCount(1);
  await expect(transcript.locator(".step-time").first()).toHaveText(/^\d+\.\d ms$/);
  // Running it again replaces the transcript rather than adding to it.
  const steps = await transcript.locator(".step").count();
  await scenario.getByTestId("scenario-econnrefused-run").click();
  await expect(scenario.getByTestId("scenario-econnrefused-run")).toBeEnabled();
  await expect(scenario.getByTestId("scenario-transcript").locator(".step")).toHaveCount(steps);
  // EAGAIN has both BlockingIOError scenarios.
  await page.goto(pageUrl("/errors?e=EAGAIN"));
  await expect(page.getByTestId("scenario-ewouldblock_recv")).toBeVisible();
  await expect(page.getByTestId("scenario-ewouldblock_send")).toBeVisible();
  watch.expectNone();
});

test("/live: a timeout for real, the mode in the URL, and both languages", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/live"));
  await expectConnected(page);
  await page.getByTestId("mode-timeout").click();
  await expect(page).toHaveURL(/\/live\?mode=timeout$/);
  const scenario = page.getByTestId("scenario-etimedout");
  await scenario.getByTestId("scenario-etimedout-run").click();
  await expect(scenario.getByTestId("scenario-transcript")).toContainText("TimeoutError: timed out");
  // The recv waited the half second the timeout allows.
  const waited = await scenario.locator(".step", { hasText: ".recv(" }).locator(".step-time").textContent();
  expect(parseFloat(waited ?? "0")).toBeGreaterThanOrEqual(450);
  // The half-close: shutdown(SHUT_WR), and the answer still arrives, then b''.
  const half = page.getByTestId("scenario-half_close");
  await expect(half.getByTestId("scenario-half_close-run")).toHaveText(catalog("en").get("live.run")!);
  await half.getByTestId("scenario-half_close-run").click();
  const halfTranscript = half.getByTestId("scenario-transcript");
  await expect(halfTranscript).toContainText(".shutdown(socket.SHUT_WR)");
  await expect(halfTranscript.locator(".step-out.py-out")).toHaveText(["b'GET / HTTP/1.0\\r\\n\\r\\n'", "b''"]);
  // Only the send() after shutdown(SHUT_WR) fails: that half is closed, the other still works.
  await expect(halfTranscript.locator(".step-out.py-err")).toHaveText([/BrokenPipeError: \[Errno 32\] Broken pipe$/]);
  // What happened on the wire meanwhile: the peer answered only once it read EOF.
  const timeline = half.getByTestId("scenario-timeline");
  await expect(timeline).toContainText("the half-close peer read 18 bytes");
  await expect(timeline).toContainText("the half-close peer read EOF");
  await expect(timeline).toContainText("the half-close peer sent 18 bytes");
  await expect(timeline).toContainText("the half-close peer closed the connection (FIN)");
  // ...and this side saw the answer arrive, then the close, before recv() took them.
  await expect(timeline).toContainText(/s\d+: 18 bytes arrived, waiting for recv\(\)/);
  await expect(timeline).toContainText(/s\d+: the peer closed its side, so recv\(\) returns b''/);
  await page.getByTestId("close-reset").click();
  await expect(page.getByTestId("scenario-econnreset")).toBeVisible();
  await expect(page.getByTestId("scenario-epipe")).toBeVisible();
  await chooseLang(page, "zh-CN");
  const zh = catalog("zh-CN");
  await expect(page.locator("h1")).toHaveText(zh.get("sock.title")!);
  await expect(page.locator("nav.topics [aria-current=page]")).toHaveText(zh.get("nav.live")!);
  await expect(page.getByTestId("scenario-etimedout-run")).toHaveText(zh.get("live.run")!);
  await page.reload();
  await expect(page.locator("h1")).toHaveText(zh.get("sock.title")!);
  await expect(page.getByTestId("mode-timeout")).toHaveAttribute("aria-pressed", "true");
  await chooseLang(page, "en");
  await expect(page.locator("h1")).toHaveText(catalog("en").get("sock.title")!);
  watch.expectNone();
});

test("screenshots of the live page: zh and en, light and dark, 1280 and 390 px", async ({ browser }) => {
  await screenshotMatrix(browser, "live", "/live?mode=timeout&close=reset", async (page) => {
    await page.getByTestId("scenario-etimedout-run").click();
    await expect(page.getByTestId("scenario-transcript")).toContainText("TimeoutError");
    await page.getByTestId("scenario-epipe-run").click();
    await expect(page.getByTestId("scenario-epipe").getByTestId("scenario-transcript")).toContainText("BrokenPipeError");
  });
});

test("where a message ends: a length prefix and the end of the stream, each run in the console", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/live"));
  await expectConnected(page);
  await page.getByTestId("framing-length-console").click();
  await page.getByTestId("console-run-all").click();
  const server = page.getByTestId("console-transcript-1");
  await expect(server).toHaveAttribute("data-state", "done");
  await expect(server).toHaveAttribute("data-text", /\n>>> size\n6\n.*\n'你好'\n.*\n'again'\n/s);
  await page.goBack();
  await page.getByTestId("framing-eof-console").click();
  await page.getByTestId("console-run-all").click();
  await expect(page.getByTestId("console-transcript-2")).toHaveAttribute("data-state", "done");
  await expect(page.getByTestId("console-transcript-1")).toHaveAttribute("data-text", /b'the whole request'\n>>> conn\.recv\(1024\)  # b'': .*\nb''\n/);
  await expect(page.getByTestId("console-transcript-2")).toHaveAttribute("data-text", /\nb'the answer'\n>>> c\.recv\(1024\)\nb''\n>>> c\.close\(\)$/);
  watch.expectNone();
});

test("non-blocking the guide's way: except BlockingIOError as e, and e.errno is EWOULDBLOCK", async ({ page }) => {
  await page.goto(pageUrl("/live?mode=nonblocking"));
  await expectConnected(page);
  const scenario = page.getByTestId("scenario-ewouldblock_recv");
  await scenario.getByTestId("scenario-ewouldblock_recv-run").click();
  const transcript = scenario.getByTestId("scenario-transcript");
  await expect(transcript).toContainText("BlockingIOError: [Errno 11] Resource temporarily unavailable");
  await expect(transcript).toContainText("... except BlockingIOError as e:");
  await expect(transcript.locator(".step-out.py-out")).toHaveText(["True 11"]);
});
