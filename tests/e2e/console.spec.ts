// The console end to end: panes of Python run for real through a real companion, the socket
// panel and the sequence diagram, Cancel, a companion killed mid-call and restarted, shared
// links, exported scripts run by python3, and screenshots.
import { expect, Page, test } from "@playwright/test";
import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalog, chooseLang, expectConnected, pageUrl, screenshotMatrix, watchErrors } from "./helpers";

/**
 * A loopback port nothing listens on now, below Linux's ephemeral range (32768-60999): a port
 * the kernel hands out to clients could be sitting in some client's TIME_WAIT, and a server's
 * bind() would then fail for a reason the test is not about.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 21000 + Math.floor(Math.random() * 9000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

function consoleUrl(panes: string[][]): string {
  const query = panes.map((lines, k) => `p${k + 1}=${encodeURIComponent(lines.join("\n"))}`).join("&");
  return pageUrl(`/console?${query}`);
}

async function typeLine(page: Page, pane: number, line: string) {
  const input = page.getByTestId(`console-input-${pane}`);
  await input.fill(line);
  await input.press("Enter");
}

const transcript = (page: Page, pane: number) => page.getByTestId(`console-transcript-${pane}`);

test("a server waits in accept() while the client connects, and the panel and diagram follow", async ({ page }) => {
  const watch = watchErrors(page);
  const port = await freePort();
  await page.goto(
    consoleUrl([
      [
        "import socket",
        `srv = socket.create_server(('127.0.0.1', ${port}))`,
        "conn, addr = srv.accept()",
        "conn.recv(1024)",
      ],
      [],
    ]),
  );
  await expectConnected(page);
  // A link shows the code, not yet run.
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "idle");
  await expect(transcript(page, 1)).toHaveAttribute("data-text", "");
  await expect(transcript(page, 1)).toContainText("conn, addr = srv.accept()");
  await page.getByTestId("console-run-all").click();
  // accept() blocks: the pane says it waits, with a clock and a Cancel button.
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "waiting");
  await expect(page.getByTestId("console-clock-1")).toHaveText(/\d/);
  await expect(page.getByTestId("console-cancel-1")).toBeVisible();
  const sockets = page.getByTestId("console-sockets");
  await expect(sockets.locator("tr[data-state=listening]")).toHaveCount(1);
  await expect(sockets.locator("tr[data-state=listening]")).toContainText(`('127.0.0.1', ${port})`);
  // The other pane stays usable: the client connects, and the server goes on by itself.
  await typeLine(page, 2, "import socket");
  await typeLine(page, 2, `c = socket.create_connection(('127.0.0.1', ${port}))`);
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "waiting"); // now in recv()
  await expect(sockets.locator("tr[data-state=connected]")).toHaveCount(2);
  await typeLine(page, 2, "c.sendall(b'hello')");
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "done");
  await expect(transcript(page, 1)).toHaveAttribute(
    "data-text",
    [
      ">>> import socket",
      `>>> srv = socket.create_server(('127.0.0.1', ${port}))`,
      ">>> conn, addr = srv.accept()",
      ">>> conn.recv(1024)",
      "b'hello'",
    ].join("\n"),
  );
  await typeLine(page, 2, "c.shutdown(socket.SHUT_WR)");
  await expect(sockets.locator("tr[data-fin=true]")).toHaveCount(1);
  await typeLine(page, 1, "conn.recv(1024)");
  await expect(transcript(page, 1)).toHaveAttribute("data-text", /\n>>> conn\.recv\(1024\)\nb''$/);
  await expect(sockets.locator("tr[data-peer-closed=true]")).toHaveCount(1);
  // The diagram: connect and accept between the panes, 5 bytes, the client's FIN.
  const arrows = page.getByTestId("console-diagram").getByTestId("console-arrow");
  const seen = await arrows.evaluateAll((els) =>
    els.map((e) => `${e.getAttribute("data-from")}>${e.getAttribute("data-to")} ${e.getAttribute("data-signal")}`),
  );
  expect(seen).toEqual(["pane2>pane1 connect", "pane1>pane2 accept", "pane2>pane1 data", "pane2>pane1 fin"]);
  await expect(arrows.nth(2)).toContainText("5 bytes");
  // The URL keeps every pane's code (written a moment after a burst of lines).
  expect(new URL(page.url()).pathname).toBe("/console");
  await expect
    .poll(() => new URL(page.url()).searchParams.get("p2"))
    .toBe(`import socket\nc = socket.create_connection(('127.0.0.1', ${port}))\nc.sendall(b'hello')\nc.shutdown(socket.SHUT_WR)`);
  watch.expectNone();
});

test("Cancel ends a waiting call at once, as Ctrl-C would", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/console"));
  await expectConnected(page);
  await typeLine(page, 1, "import socket");
  await typeLine(page, 1, "s = socket.create_server(('127.0.0.1', 0))");
  await typeLine(page, 1, "s.accept()");
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "waiting");
  await page.getByTestId("console-cancel-1").click();
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "done");
  await expect(transcript(page, 1)).toHaveAttribute(
    "data-text",
    /\n>>> s\.accept\(\)\nTraceback \(most recent call last\):\n  File "<stdin>", line 1, in <module>\n.*KeyboardInterrupt$/s,
  );
  // History: the arrow keys bring back earlier lines; Tab completes a socket's methods.
  const input = page.getByTestId("console-input-1");
  await input.press("ArrowUp");
  await expect(input).toHaveValue("s.accept()");
  await input.press("ArrowUp");
  await expect(input).toHaveValue("s = socket.create_server(('127.0.0.1', 0))");
  await input.fill("s.getsock");
  await input.press("Tab");
  await expect(input).toHaveValue("s.getsock");
  await expect(page.getByTestId("console-completions-1")).toContainText("s.getsockname");
  await input.fill("s.getsockn");
  await input.press("Tab");
  await expect(input).toHaveValue("s.getsockname");
  watch.expectNone();
});

test("a shared link opens the code not yet run, and Run all runs pane by pane", async ({ page, context }) => {
  const port = await freePort();
  const server = ["import socket", `srv = socket.create_server(('127.0.0.1', ${port}))`, "conn, addr = srv.accept()", "conn.sendall(conn.recv(100).upper())", "conn.close()", "srv.close()"];
  const client = ["import socket", `c = socket.create_connection(('127.0.0.1', ${port}))`, "c.sendall(b'ping')", "c.recv(100)", "c.recv(100)", "len('中文'.encode('utf-8'))"];
  await page.goto(pageUrl("/console"));
  await expectConnected(page);
  for (const line of server) await typeLine(page, 1, line);
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "waiting");
  for (const line of client) await typeLine(page, 2, line);
  await expect(transcript(page, 2)).toHaveAttribute("data-state", "done");
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "done");
  const texts = [await transcript(page, 1).getAttribute("data-text"), await transcript(page, 2).getAttribute("data-text")];
  expect(texts[1]).toContain(">>> c.recv(100)\nb'PING'\n>>> c.recv(100)\nb''\n>>> len('中文'.encode('utf-8'))\n6");
  // The same link in a new page: the code is there, nothing ran.
  await expect.poll(() => new URL(page.url()).searchParams.get("p2") ?? "").toContain("len('中文'.encode('utf-8'))");
  const shared = page.url();
  const other = await context.newPage();
  await other.goto(shared);
  await expectConnected(other);
  await expect(transcript(other, 1)).toHaveAttribute("data-text", "");
  await expect(transcript(other, 2)).toContainText("c.sendall(b'ping')");
  await other.getByTestId("console-run-all").click();
  await expect(transcript(other, 2)).toHaveAttribute("data-state", "done");
  await expect(transcript(other, 1)).toHaveAttribute("data-state", "done");
  expect(await transcript(other, 1).getAttribute("data-text")).toBe(texts[0]);
  expect(await transcript(other, 2).getAttribute("data-text")).toBe(texts[1]);
  // Export: each pane as a .py file; run in two terminals, they print what the console printed.
  const dir = mkdtempSync(join(tmpdir(), "socklab-export-"));
  const files: string[] = [];
  for (const pane of [1, 2]) {
    const [download] = await Promise.all([other.waitForEvent("download"), other.getByTestId(`console-export-${pane}`).click()]);
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);
    files.push(file);
  }
  expect(files.map((f) => f.split("/").pop())).toEqual(["server.py", "client.py"]);
  expect(readFileSync(files[0], "utf8")).toContain("python3 server.py   <- this file");
  const python = (file: string) => {
    const child = spawn("python3", [file]);
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    return { child, done: new Promise<string>((resolve) => child.on("close", () => resolve(out))) };
  };
  const srv = python(files[0]);
  await new Promise((r) => setTimeout(r, 700)); // the server is in accept()
  const cli = python(files[1]);
  const [srvOut, cliOut] = await Promise.all([srv.done, cli.done]);
  expect(srvOut).toBe(texts[0] + "\n");
  expect(cliOut).toBe(texts[1] + "\n");
});

test("no companion: the console says so where you type, and lines that need no socket still run", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const watch = watchErrors(page);
  // No token: this page cannot reach the companion.
  const bare = new URL(pageUrl("/console"));
  bare.searchParams.delete("token");
  await page.goto(bare.toString());
  await expect(page.getByTestId("companion-status")).toHaveAttribute("data-state", "unavailable");
  await expect(page.getByTestId("console-no-companion")).toContainText("socklab serve");
  await typeLine(page, 1, "import socket, struct");
  await typeLine(page, 1, "struct.pack('>H', 256)");
  await typeLine(page, 1, "socket.htons(70000)");
  await typeLine(page, 1, "s = socket.socket()");
  await typeLine(page, 1, "for i in range(3): pass");
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "done");
  const text = await transcript(page, 1).getAttribute("data-text");
  expect(text).toContain(">>> struct.pack('>H', 256)\nb'\\x01\\x00'");
  expect(text).toContain("OverflowError: htons: Python int too large to convert to C 16-bit unsigned integer");
  expect(text).toContain(">>> s = socket.socket()\n[socklab] no companion");
  expect(text).toContain("loops are not supported here");
  // socklab's notes speak the reader's language; Python's output and the transcript as a
  // script keeps it (data-text, Export) stay as Python and socklab print them.
  await expect(transcript(page, 1)).toContainText("[socklab] no companion: this line needs a real socket");
  await chooseLang(page, "zh-CN");
  await expect(transcript(page, 1)).toContainText(`[socklab] ${catalog("zh-CN").get("con.note_no_companion")}`);
  await expect(transcript(page, 1)).toContainText(`[socklab] ${catalog("zh-CN").get("con.note_loop")}`);
  await expect(transcript(page, 1)).not.toContainText("loops are not supported here");
  await expect(transcript(page, 1)).toContainText("OverflowError: htons: Python int too large to convert to C 16-bit unsigned integer");
  expect(await transcript(page, 1).getAttribute("data-text")).toBe(text);
  await context.close();
  watch.expectNone();
});

test("the companion killed mid-recv() and restarted: the line ends, the page recovers, old sockets say so", async ({ browser }) => {
  test.setTimeout(60_000);
  const port = await freePort();
  const token = "0123456789abcdef0123456789abcdef";
  const root = join(__dirname, "..", "..");
  const start = (): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      const child = spawn(join(root, "target/debug/socklab"), ["serve", "--port", String(port), "--dist", join(root, "dist")], {
        env: { ...process.env, SOCKLAB_TOKEN: token },
        stdio: ["ignore", "pipe", "ignore"],
      });
      child.stdout!.once("data", () => resolve(child));
      child.once("error", reject);
    });
  let companion = await start();
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`http://127.0.0.1:${port}/console?token=${token}`);
    await expectConnected(page);
    await typeLine(page, 1, "import socket");
    await typeLine(page, 1, "srv = socket.create_server(('127.0.0.1', 0))");
    await typeLine(page, 2, "import socket");
    await typeLine(page, 2, "c = socket.create_connection(srv.getsockname())");
    await expect(transcript(page, 2)).toContainText("NameError: name 'srv' is not defined");
    await typeLine(page, 1, "port = srv.getsockname()[1]");
    await typeLine(page, 1, "port");
    await expect(transcript(page, 1)).toHaveAttribute("data-text", /\n>>> port\n\d+$/);
    const port2 = (await transcript(page, 1).getAttribute("data-text"))!.split("\n").pop();
    await typeLine(page, 2, `c = socket.create_connection(('127.0.0.1', ${port2}))`);
    await typeLine(page, 1, "conn, addr = srv.accept()");
    await typeLine(page, 1, "conn.recv(10)");
    await expect(transcript(page, 1)).toHaveAttribute("data-state", "waiting");
    // Killed mid-recv(): the waiting line ends, never a clock left running.
    companion.kill("SIGKILL");
    await expect(transcript(page, 1)).toHaveAttribute("data-state", "done");
    await expect(transcript(page, 1)).toHaveAttribute("data-text", /\n>>> conn\.recv\(10\)\n\[socklab\] companion disconnected/);
    await expect(page.getByTestId("console-clock-1")).toHaveCount(0);
    companion = await start();
    await expectConnected(page);
    await typeLine(page, 1, "srv.accept()");
    await expect(transcript(page, 1)).toHaveAttribute("data-text", /\n>>> srv\.accept\(\)\n\[socklab\] this socket belonged to a companion session that has ended/);
    await typeLine(page, 1, "s = socket.socket()");
    await typeLine(page, 1, "s.getsockname()");
    await expect(transcript(page, 1)).toHaveAttribute("data-text", /\n>>> s\.getsockname\(\)\n\('0\.0\.0\.0', 0\)$/);
  } finally {
    companion.kill("SIGKILL");
    await context.close();
  }
});

test("screenshots of the console mid-experiment: zh and en, light and dark, 1280 and 390 px", async ({ browser }) => {
  test.setTimeout(120_000);
  const port = await freePort();
  const url = `/console?p1=${encodeURIComponent(
    ["import socket", `srv = socket.create_server(('127.0.0.1', ${port}))`, "conn, addr = srv.accept()", "conn.recv(1024)", "conn.recv(1024)"].join("\n"),
  )}&p2=${encodeURIComponent(["import socket", `c = socket.create_connection(('127.0.0.1', ${port}))`, "c.sendall(b'hello')", "c.shutdown(socket.SHUT_WR)"].join("\n"))}`;
  await screenshotMatrix(browser, "console", url, async (page) => {
    await page.getByTestId("console-run-all").click();
    await expect(transcript(page, 2)).toHaveAttribute("data-state", "done");
    await expect(transcript(page, 1)).toHaveAttribute("data-state", "done");
    await page.getByTestId("console-input-2").fill("c.recv(1024)");
  });
});

test("a lesson opens in the console: its lines in a pane, editable, and they run the same", async ({ page }) => {
  const watch = watchErrors(page);
  await page.goto(pageUrl("/errors?e=ECONNREFUSED"));
  await expectConnected(page);
  const scenario = page.getByTestId("scenario-econnrefused");
  await scenario.getByTestId("scenario-econnrefused-run").click();
  await expect(scenario.getByTestId("scenario-transcript")).toContainText("ConnectionRefusedError");
  await scenario.getByTestId("scenario-econnrefused-console").click();
  await expect(page).toHaveURL(/\/console\?p1=import%20socket%0A/);
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "idle");
  await expect(transcript(page, 1)).toContainText("port = ");
  await page.getByTestId("console-run-all").click();
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "done");
  const text = await transcript(page, 1).getAttribute("data-text");
  expect(text).toMatch(/\n>>> s\d+\.connect\(\('127\.0\.0\.1', port\)\)\nTraceback \(most recent call last\):\n  File "<stdin>", line 1, in <module>\nConnectionRefusedError: \[Errno 111\] Connection refused/);
  watch.expectNone();
});

test("two panes waiting on each other: a deadlock you can see and cancel; the companion's limits hold", async ({ page }) => {
  const watch = watchErrors(page);
  const port = await freePort();
  await page.goto(
    consoleUrl([
      ["import socket", `srv = socket.create_server(('127.0.0.1', ${port}))`, "conn, addr = srv.accept()", "conn.recv(10)"],
      ["import socket", `c = socket.create_connection(('127.0.0.1', ${port}))`, "c.recv(10)"],
    ]),
  );
  await expectConnected(page);
  await page.getByTestId("console-run-all").click();
  // Each waits for the other to send: both wait, with their clocks and Cancel buttons.
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "waiting");
  await expect(transcript(page, 2)).toHaveAttribute("data-state", "waiting");
  await expect(transcript(page, 1)).toHaveAttribute("data-text", /conn\.recv\(10\)$/);
  await page.getByTestId("console-cancel-2").click();
  await expect(transcript(page, 2)).toHaveAttribute("data-text", /\n>>> c\.recv\(10\)\nTraceback \(most recent call last\):\n  File "<stdin>", line 1, in <module>\nKeyboardInterrupt$/);
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "waiting");
  await page.getByTestId("console-cancel-1").click();
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "done");
  // The session's socket limit (32) holds in the console as elsewhere, reported as itself.
  await page.getByTestId("console-restart-1").click();
  await page.getByTestId("console-restart-2").click();
  const many = ["import socket", ...Array.from({ length: 33 }, (_, i) => `s${i} = socket.socket()`)];
  await page.goto(consoleUrl([many, []]));
  await expectConnected(page);
  await page.getByTestId("console-run-all").click();
  await expect(transcript(page, 1)).toHaveAttribute("data-state", "done");
  await expect(transcript(page, 1)).toHaveAttribute("data-text", /\n>>> s32 = socket\.socket\(\)\nTraceback \(most recent call last\):\n  File "<stdin>", line 1, in <module>\n.*\nsocklab\.LimitError: this session has 32 open sockets/s);
  watch.expectNone();
});

test("a pane removed while a later pane's accept() waits: the line ends in its pane, now one place up", async ({ page }) => {
  const watch = watchErrors(page);
  const port = await freePort();
  await page.goto(pageUrl("/console"));
  await expectConnected(page);
  await page.getByTestId("console-add-pane").click();
  await page.getByTestId("console-add-pane").click();
  for (const line of ["import socket", "srv = socket.socket()", `srv.bind(('127.0.0.1', ${port}))`, "srv.listen()", "conn, addr = srv.accept()"]) {
    await typeLine(page, 4, line);
  }
  await expect(transcript(page, 4)).toHaveAttribute("data-state", "waiting");
  await page.getByTestId("console-remove-3").click();
  await expect(page.getByTestId("console-pane-4")).toHaveCount(0);
  // The waiting server is pane 3 now, and its accept() ends there when the client connects.
  await expect(transcript(page, 3)).toHaveAttribute("data-state", "waiting");
  await typeLine(page, 1, "import socket");
  await typeLine(page, 1, `c = socket.create_connection(('127.0.0.1', ${port}))`);
  await expect(transcript(page, 3)).toHaveAttribute("data-state", "done");
  await typeLine(page, 3, "conn.getsockname()");
  await expect(transcript(page, 3)).toHaveAttribute("data-text", new RegExp(`\\('127\\.0\\.0\\.1', ${port}\\)`));
  watch.expectNone();
});
