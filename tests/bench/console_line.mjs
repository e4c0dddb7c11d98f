// The console's one-call line, from Enter to its output drawn, in headless Chromium against a
// running `socklab serve`: `node tests/bench/console_line.mjs URL [LINES]` prints JSON
// {"samples": [...ms], "p50", "p90", "p99"}. `cargo xtask bench console` runs it.
import { chromium } from "playwright-core";

const url = new URL(process.argv[2]);
const count = Number(process.argv[3] ?? 200);
url.pathname = "/console";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage();
await page.goto(url.toString());
await page.waitForSelector("[data-testid=companion-status][data-state=connected]");
const input = page.getByTestId("console-input-1");
for (const line of ["import socket", "s = socket.socket()"]) {
  await input.fill(line);
  await input.press("Enter");
}
await page.waitForSelector("[data-testid=console-transcript-1][data-state=done]");
// Enter's keydown (capture phase, before the app sees it) to the mutation that puts the
// line's output into the transcript.
await page.evaluate(() => {
  const w = window;
  w.__lat = [];
  const input = document.querySelector("[data-testid=console-input-1]");
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") w.__t0 = performance.now(); }, true);
  const transcript = document.querySelector("[data-testid=console-transcript-1]");
  new MutationObserver(() => {
    if (w.__t0 && transcript.getAttribute("data-state") === "done" && transcript.getAttribute("data-text").endsWith("('0.0.0.0', 0)")) {
      w.__lat.push(performance.now() - w.__t0);
      w.__t0 = 0;
    }
  }).observe(transcript, { attributes: true, childList: true, subtree: true });
});
for (let i = 0; i < count; i++) {
  // A person takes longer than this to type the next line; the page writes the URL 250 ms
  // after a line, and that write is not part of a line's time.
  await page.waitForTimeout(300);
  await input.fill("s.getsockname()");
  const before = await page.evaluate(() => window.__lat.length);
  await input.press("Enter");
  await page.waitForFunction((n) => window.__lat.length > n, before);
}
const samples = await page.evaluate(() => window.__lat);
await browser.close();
const sorted = [...samples].sort((a, b) => a - b);
const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
console.log(JSON.stringify({ samples: samples.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), min: sorted[0] }));
