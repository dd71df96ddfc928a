// The driver page's service worker (served as /sw.js, scope "/"): keeps the app shell (the page, its
// fingerprinted bundle and stylesheet, the icons and the manifest) so the page opens without a network.
// It never stores anything personal: no API answer, no evidence, no PDF, nothing asked with a token,
// nothing but GET. Pending actions are kept by the page (lib/outbox.ts), not here.

// The WebWorker typings clash with the DOM ones the pages use: the few service worker types, by hand.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response> | Response): void;
}
interface WorkerScope {
  addEventListener(type: "install" | "activate", listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (e: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  readonly location: Location;
}
const worker = self as unknown as WorkerScope;

const shellCache = "ar-shell-v1";
/** The driver page: also what /join/<code> shows. Stored under "/" only, never under a join path. */
const page = "/";
const fixed = ["/app.webmanifest", "/icons/icon.svg", "/icons/icon-192.png", "/icons/icon-512.png"];

/** What the shell may hold: same origin, GET, no token, and only the page, its static files and icons. */
function isShellFile(url: URL): boolean {
  return url.origin === worker.location.origin && (/^\/(dist|css|icons)\//.test(url.pathname) || url.pathname === "/app.webmanifest");
}

function isPage(url: URL): boolean {
  return url.origin === worker.location.origin && (url.pathname === "/" || url.pathname === "/index.html" || /^\/join\/\d{8}\/?$/.test(url.pathname));
}

/** Stores the page and exactly the files it links (their fingerprints change with a release); drops the rest. */
async function storeShell(response: Response): Promise<void> {
  const html = await response.clone().text();
  const linked = [...html.matchAll(/(?:src|href)="(\/(?:dist|css|icons)\/[^"?#]+|\/app\.webmanifest)"/g)].map((m) => m[1]!);
  const wanted = new Set([...linked, ...fixed]);
  const cache = await caches.open(shellCache);
  await Promise.all([...wanted].map(async (path) => {
    if (!(await cache.match(path))) await cache.add(new Request(path, { cache: "no-cache" }));
  }));
  await cache.put(page, response);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path !== page && !wanted.has(path)) await cache.delete(request);
  }
}

worker.addEventListener("install", (e) => {
  e.waitUntil((async () => {
    const response = await fetch(page, { cache: "no-cache" });
    if (response.ok) await storeShell(response);
    await worker.skipWaiting();
  })());
});

worker.addEventListener("activate", (e) => {
  e.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== shellCache) await caches.delete(name);
    await worker.clients.claim();
  })());
});

worker.addEventListener("fetch", (e) => {
  const request = e.request;
  if (request.method !== "GET" || request.headers.has("Authorization")) return;
  const url = new URL(request.url);
  if (request.mode === "navigate" && isPage(url)) {
    // Network first, so a release shows at once; the stored page only when there is no network.
    e.respondWith((async () => {
      try {
        const response = await fetch(request);
        if (response.ok) e.waitUntil(storeShell(response.clone()).catch(() => undefined));
        return response;
      } catch (error) {
        const stored = await caches.match(page, { cacheName: shellCache });
        if (stored) return stored;
        throw error;
      }
    })());
  } else if (isShellFile(url)) {
    // Fingerprinted files never change: the stored copy first. Files the shell does not hold go to the network untouched.
    e.respondWith((async () => (await caches.match(request, { cacheName: shellCache, ignoreSearch: false })) ?? fetch(request))());
  }
});
