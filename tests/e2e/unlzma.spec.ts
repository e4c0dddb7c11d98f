// www/unlzma.js, the decoder index.html's loader uses at a plain-http address (where browsers
// take no brotli, and the wasm comes in LZMA): run in Chromium as served, on each build's wasm
// as `cargo xtask post-build` packed it, on what xz itself writes with every literal and
// position setting, and on broken input, which must throw an Error that says what is wrong.
// lan.spec.ts loads the app that way from a LAN address.
import { expect, Page, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { serverUrl } from "./helpers";

/** The builds' files as index.html's loader names them: [js, wasm, lzma] each, and the decoder. */
async function builds(page: Page): Promise<{ lite: string[]; console: string[]; live: string[]; unlzma: string }> {
  const index = await (await page.request.get(new URL("/", serverUrl()).toString())).text();
  const json = /const builds = (\{.*\});/.exec(index);
  expect(json, "index.html names the builds' files").not.toBeNull();
  return JSON.parse(json![1]);
}

/** `data` as xz writes it in the LZMA alone format with these options, with its size in the header. */
function xz(data: Buffer, options: string): Buffer {
  const packed = execFileSync("xz", ["--format=lzma", `--lzma1=${options}`, "--stdout"], { input: data });
  packed.writeBigUInt64LE(BigInt(data.length), 5);
  return packed;
}

/** Runs the served decoder on each input in the page: the decoded bytes (base64), or the Error's message. */
async function decode(page: Page, decoder: string, inputs: Buffer[]): Promise<{ ok?: string; error?: string }[]> {
  return page.evaluate(
    async ([decoder, inputs]) => {
      const { unlzma } = await import(decoder);
      const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const text = (u8: Uint8Array) => {
        let s = "";
        for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
        return btoa(s);
      };
      return inputs.map((input) => {
        try {
          return { ok: text(unlzma(bytes(input))) };
        } catch (e) {
          return { error: e instanceof Error ? e.message : `not an Error: ${e}` };
        }
      });
    },
    [decoder, inputs.map((b) => b.toString("base64"))] as const,
  );
}

test("each build's wasm in LZMA decodes to the very bytes of the wasm", async ({ page }) => {
  await page.goto(new URL("/byte-order", serverUrl()).toString());
  const { lite, console: console_, live, unlzma } = await builds(page);
  expect(unlzma).toMatch(/^\/unlzma-[0-9a-f]{16}\.js$/);
  for (const [, wasm, packed] of [lite, console_, live]) {
    expect(packed).toBe(wasm.replace(/_bg\.wasm$/, "_bg.lzma"));
    const same = await page.evaluate(
      async ([decoder, wasm, packed]) => {
        const { unlzma } = await import(decoder);
        const [plain, lzma] = await Promise.all([wasm, packed].map((u) => fetch(u).then((r) => r.arrayBuffer())));
        const t0 = performance.now();
        const decoded: Uint8Array = unlzma(lzma);
        const ms = performance.now() - t0;
        const digest = async (b: BufferSource) => Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", b))).join();
        return { same: (await digest(decoded)) === (await digest(plain)), plain: plain.byteLength, lzma: lzma.byteLength, ms };
      },
      [unlzma, wasm, packed] as const,
    );
    console.log(`  ${packed}: ${same.lzma} bytes → ${same.plain} in ${same.ms.toFixed(0)} ms`);
    expect(same.same, `${packed} decodes to ${wasm}`).toBe(true);
    expect(same.lzma).toBeLessThan(same.plain / 3);
  }
});

test("what xz writes decodes, with any lc, lp and pb, for text, random, repetitive and empty data", async ({ page }) => {
  await page.goto(new URL("/byte-order", serverUrl()).toString());
  const { unlzma } = await builds(page);
  const text = Buffer.from(
    Array.from({ length: 3000 }, (_, i) => `${(i * 7919) % 10007} socket.inet_pton(AF_INET6, '::${i % 97}')\n`).join(""),
  );
  const data: [string, Buffer][] = [
    ["text", text],
    ["random", randomBytes(40_000)],
    // Long runs and a far repeat: the longest matches, the rep distances and short reps.
    ["repetitive", Buffer.concat([Buffer.alloc(70_000, 0x61), randomBytes(5000), Buffer.alloc(3, 0), text.subarray(0, 20_000), randomBytes(5000)])],
    ["empty", Buffer.alloc(0)],
    ["one byte", Buffer.from([0xff])],
  ];
  const cases: [string, Buffer][] = [];
  for (const [name, bytes] of data) {
    for (const options of ["preset=9e", "preset=6,lc=0,lp=0,pb=0", "preset=1,lc=4,lp=0,pb=4", "preset=9,lc=0,lp=4,pb=0", "preset=0,lc=1,lp=3,pb=2", "preset=9e,mf=hc4,nice=273"]) {
      cases.push([`${name} (${options})`, bytes]);
    }
  }
  const results = await decode(page, unlzma, cases.map(([name, bytes]) => xz(bytes, name.split(" (")[1].slice(0, -1))));
  cases.forEach(([name, bytes], i) => {
    expect(results[i].error, name).toBeUndefined();
    expect(Buffer.from(results[i].ok!, "base64").equals(bytes), name).toBe(true);
  });
});

test("broken input throws an Error that says what is wrong, at once", async ({ page }) => {
  await page.goto(new URL("/byte-order", serverUrl()).toString());
  const { unlzma } = await builds(page);
  const good = xz(randomBytes(30_000), "preset=6");
  const unknownSize = Buffer.from(good);
  unknownSize.fill(0xff, 5, 13);
  const huge = Buffer.from(good);
  huge.writeBigUInt64LE(1n << 40n, 5);
  const badProps = Buffer.from(good);
  badProps[0] = 225;
  const notZero = Buffer.from(good);
  notZero[13] = 1;
  const longer = Buffer.from(good);
  longer.writeBigUInt64LE(BigInt(30_000 * 50), 5); // says more than the stream holds
  const cases: [Buffer, RegExp][] = [
    [good.subarray(0, 10), /shorter than an LZMA header/],
    [badProps, /properties byte 225/],
    [unknownSize, /no decoded size/],
    [huge, /over 1 GiB/],
    [notZero, /does not start with a zero byte/],
    [good.subarray(0, good.length - 1000), /cut short|reaches before the start|runs past|stream ends/],
    [longer, /cut short|reaches before the start|runs past|stream ends/],
  ];
  const t0 = Date.now();
  const results = await decode(page, unlzma, cases.map(([input]) => input));
  cases.forEach(([, message], i) => expect(results[i].error, String(message)).toMatch(message));
  expect(Date.now() - t0, "no hang").toBeLessThan(10_000);
});
