// socklab's service worker: the app offline after one visit (issue #15).
//
// The companion writes this file for each request from what dist/ holds at that moment
// (crates/companion/src/serve/service_worker.rs): BUILD names the build (FNV-1a 64 of
// index.html and the hashed files' names), FILES lists its hashed files. The same build gives
// the same bytes, so the browser installs a new worker exactly when dist/ is rebuilt.
//
// One cache per build, "socklab-<BUILD>", holding "/" (index.html) and the build's hashed
// files, and nothing else: nothing fetched later is added to it. index.html names its wasm, JS
// and CSS by the hash of their content, so an index from one build can only ever load that
// build's files: a page never runs a mix of two builds, whichever cache or network it came from.

const BUILD = "__SOCKLAB_BUILD__";
const FILES = __SOCKLAB_FILES__;
const CACHE = `socklab-${BUILD}`;
const PATHS = new Set(FILES.map((name) => `/${name}`));

// The build id as the companion computes it, to check that the index.html fetched below is the
// one this worker was written for (dist/ may be rebuilt between the two requests).
function buildId(index) {
  let hash = 0xcbf29ce484222325n;
  const eat = (bytes) => {
    for (const byte of bytes) {
      hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
    }
  };
  eat(index);
  for (const name of FILES) eat(new TextEncoder().encode(`\n${name}`));
  return hash.toString(16).padStart(16, "0");
}

// Install: the whole build into a fresh cache, or nothing. If any file fails, install fails, the
// cache is dropped, and the worker in charge (with its own complete build) stays.
self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      try {
        const index = await fetch("/", { cache: "no-cache" });
        if (!index.ok) throw new Error(`index.html: ${index.status}`);
        if (buildId(new Uint8Array(await index.clone().arrayBuffer())) !== BUILD) {
          throw new Error("dist/ was rebuilt since this worker was written");
        }
        // The hashed files may come from the HTTP cache (they are immutable): the visit that
        // registered this worker has just downloaded them.
        const files = await Promise.all(
          FILES.map(async (name) => {
            const response = await fetch(`/${name}`);
            // The server marks a file it has under a hashed name immutable; for a path it no
            // longer has it answers index.html (no-cache): a rebuild under our feet.
            const immutable = (response.headers.get("cache-control") ?? "").includes("immutable");
            if (!response.ok || !immutable) throw new Error(`${name}: not in dist/ any more`);
            return [`/${name}`, response];
          }),
        );
        const cache = await caches.open(CACHE);
        await cache.put("/", index);
        for (const [path, response] of files) await cache.put(path, response);
      } catch (error) {
        await caches.delete(CACHE);
        throw error;
      }
      await self.skipWaiting();
    })(),
  );
});

// Activate: every other build's cache goes, so the only build left offline is this one; and
// this worker takes the open pages at once (they are whole builds of their own, see above).
self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("socklab-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Not ours: other methods, other origins, the companion's WebSocket, this worker itself.
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === "/ws" || url.pathname === "/sw.js") return;
  if (request.mode === "navigate") {
    // Any in-app route with any query (/struct?fmt=%3EH&token=...): the network's answer while
    // there is one, so a rebuild shows at once; this build's index.html when there is none.
    event.respondWith(fetch(request).catch(async () => (await cached("/")) ?? Response.error()));
  } else if (PATHS.has(url.pathname)) {
    // A hashed file never changes under its name: the cache first, the network if it lacks it.
    event.respondWith(cached(request).then((response) => response ?? fetch(request)));
  }
});

// This build's cache's answer (undefined if it has none), matched by URL alone: the server's
// `Vary: accept-encoding` does not matter for a file stored decoded under a name that never
// changes. (caches.match with cacheName does not create the cache, as caches.open would.)
function cached(request) {
  return caches.match(request, { cacheName: CACHE, ignoreVary: true });
}
