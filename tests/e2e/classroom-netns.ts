// A classroom of its own for a spec: `socklab serve --lan` and Chromium, both inside a network
// namespace the spec makes, so nothing can leave it. Needs root and `ip` (as the companion's
// namespace tests); elsewhere `skipped` says why and the spec skips.
import { Browser, chromium } from "@playwright/test";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const root = join(__dirname, "..", "..");
const socklab = process.env.SOCKLAB_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "debug", "socklab");

function ip(...args: string[]) {
  execFileSync("ip", args, { stdio: "ignore" });
}

export interface Classroom {
  /** Why the namespace could not be made (the spec skips), or "". */
  skipped: string;
  /** The teacher's link (loopback: a secure context) and the students' (see `lanAddress`). */
  teacherUrl: string;
  studentsUrl: string;
  browser?: Browser;
  close(): Promise<void>;
}

/**
 * Makes the namespace `name` (with `lo` up and, given `lanAddress`, an interface holding
 * that address in a /24, which `--lan` then serves the students at: a plain-http LAN origin,
 * not a secure context; without it the students' link is on loopback too), starts `socklab
 * serve --lan` and Chromium inside it, and reads the two links the server prints first.
 */
export async function openClassroom(name: string, lanAddress?: string): Promise<Classroom> {
  const room: Classroom = { skipped: "", teacherUrl: "", studentsUrl: "", close: async () => {} };
  try {
    ip("netns", "add", name);
    ip("netns", "exec", name, "ip", "link", "set", "lo", "up");
    if (lanAddress) {
      // A veth pair with both ends in the namespace (a kernel without the dummy driver has veth).
      ip("netns", "exec", name, "ip", "link", "add", "lan0", "type", "veth", "peer", "name", "lan1");
      ip("netns", "exec", name, "ip", "addr", "add", `${lanAddress}/24`, "dev", "lan0");
      ip("netns", "exec", name, "ip", "link", "set", "lan0", "up");
      ip("netns", "exec", name, "ip", "link", "set", "lan1", "up");
    }
  } catch (e) {
    room.skipped = `cannot create a network namespace here (needs root and \`ip\`): ${e}`;
    return room;
  }
  const server: ChildProcess = spawn("ip", ["netns", "exec", name, socklab, "serve", "--lan", "--port", "0", "--dist", join(root, "dist")], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const lines = createInterface({ input: server.stdout! });
  const urls: string[] = [];
  for await (const line of lines) {
    urls.push(line.trim());
    if (urls.length === 2) break;
  }
  server.stdout!.resume(); // the QR code follows; keep reading so the server never blocks
  [room.teacherUrl, room.studentsUrl] = urls;
  // Chromium inside the same namespace, through a wrapper Playwright launches as its browser.
  const wrapper = join(mkdtempSync(join(tmpdir(), "socklab-e2e-")), "chromium-in-netns");
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${name} ${process.env.CHROMIUM ?? "/usr/bin/chromium"} "$@"\n`);
  chmodSync(wrapper, 0o755);
  room.browser = await chromium.launch({
    executablePath: wrapper,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  room.close = async () => {
    await room.browser?.close();
    server.kill();
    try {
      ip("netns", "del", name);
    } catch {
      // already gone
    }
  };
  return room;
}
