// Actions the driver took without a network ("cars moved", the details for the document), kept in
// IndexedDB until the network is back: sent on the `online` event and on the next page load. Each is
// safe to send twice (the server keeps the first "cars moved" and the same details change nothing).
// An action holds its case's party token only while it waits: the record is deleted once the server
// answered (also with a refusal), and after a day whatever happened, so no token outlives its use.
import { ApiError } from "./api";
import { lang } from "./i18n";

export interface PendingAction {
  id: string;
  kind: string;
  method: string;
  path: string;
  body: unknown;
  token: string;
  at: number;
}

const dbName = "ar-outbox";
const store = "actions";
const maxAge = 24 * 60 * 60 * 1000;
const listeners = new Map<string, (error: ApiError | null) => void>();
let flushing: Promise<void> | null = null;
let retry: number | undefined;
/** The `online` event is not always told (or comes before the link carries): while something waits, try again. */
const retryMs = 5000;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(dbName, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(store, { keyPath: "id" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<T>(mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = work(db.transaction(store, mode).objectStore(store));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

/** Called with null when an action of this kind was delivered, or with the server's refusal. */
export function onDelivered(kind: string, listener: (error: ApiError | null) => void): void {
  listeners.set(kind, listener);
}

/** Keeps an action that failed for lack of network. One per kind and path: a second tap replaces the first. */
export async function keep(kind: string, method: string, path: string, body: unknown, token: string): Promise<void> {
  await run("readwrite", (s) => s.put({ id: `${kind} ${path}`, kind, method, path, body, token, at: Date.now() } satisfies PendingAction));
  later();
}

export async function pending(): Promise<PendingAction[]> {
  try {
    return await run("readonly", (s) => s.getAll() as IDBRequest<PendingAction[]>);
  } catch {
    return [];
  }
}

function later(): void {
  clearTimeout(retry);
  retry = window.setTimeout(() => void flush(), retryMs);
}

/** Sends what waits, oldest first; stops at the first one the network does not carry. */
export function flush(): Promise<void> {
  flushing ??= (async () => {
    try {
      for (const a of (await pending()).sort((x, y) => x.at - y.at)) {
        if (Date.now() - a.at > maxAge) {
          await run("readwrite", (s) => s.delete(a.id));
          continue;
        }
        let res: Response;
        try {
          res = await fetch(a.path, {
            method: a.method,
            headers: { Authorization: `Bearer ${a.token}`, "Accept-Language": lang, Accept: "application/json", ...(a.body === undefined ? {} : { "Content-Type": "application/json" }) },
            body: a.body === undefined ? null : JSON.stringify(a.body),
          });
        } catch {
          later();
          return;
        }
        if (res.status >= 500) {
          later();
          return;
        }
        await run("readwrite", (s) => s.delete(a.id));
        let error: ApiError | null = null;
        if (!res.ok) {
          const p = (await res.json().catch(() => ({}))) as { title?: string; detail?: string; errors?: Record<string, string[]> };
          error = new ApiError(res.status, p.title ?? res.statusText, p.detail ?? null, p.errors ?? {});
        }
        listeners.get(a.kind)?.(error);
      }
    } catch {
      // IndexedDB unavailable (private mode on some browsers): nothing was kept, nothing to send.
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}
