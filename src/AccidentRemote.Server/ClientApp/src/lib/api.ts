// fetch with the token, Accept-Language of the chosen language, and ProblemDetails turned into ApiError.
import { lang } from "./i18n";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | null,
    readonly errors: Record<string, string[]>,
  ) {
    super(title);
  }

  /** 0 = no answer at all (offline, server down). */
  get offline(): boolean {
    return this.status === 0;
  }
}

let token: string | null = null;

export function setToken(value: string | null): void {
  token = value;
}

export function getToken(): string | null {
  return token;
}

export function headers(extra?: Record<string, string>): Record<string, string> {
  const h: Record<string, string> = { "Accept-Language": lang, ...extra };
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

async function toError(res: Response): Promise<ApiError> {
  try {
    const p = (await res.json()) as { title?: string; detail?: string; errors?: Record<string, string[]> };
    return new ApiError(res.status, p.title ?? res.statusText, p.detail ?? null, p.errors ?? {});
  } catch {
    return new ApiError(res.status, res.statusText || `HTTP ${res.status}`, null, {});
  }
}

export async function request(method: string, path: string, body?: unknown): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: headers(body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" }),
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, e instanceof Error ? e.message : String(e), null, {});
  }
  if (!res.ok) throw await toError(res);
  return res;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await request(method, path, body);
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

/** multipart POST with upload progress (fetch has none), e.g. a photo on a slow mobile link. */
export function upload<T>(path: string, form: FormData, onProgress?: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    for (const [k, v] of Object.entries(headers({ Accept: "application/json" }))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let body: { title?: string; detail?: string; errors?: Record<string, string[]> } | null = null;
      try { body = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { body = null; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else reject(new ApiError(xhr.status, body?.title ?? (xhr.statusText || `HTTP ${xhr.status}`), body?.detail ?? null, body?.errors ?? {}));
    };
    xhr.onerror = () => reject(new ApiError(0, "network error", null, {}));
    xhr.ontimeout = xhr.onerror;
    xhr.send(form);
  });
}

/** An image the server only gives with the token (e.g. the join QR): as a blob: URL for <img src>. */
export async function blobUrl(path: string): Promise<string> {
  const res = await request("GET", path);
  return URL.createObjectURL(await res.blob());
}

/** Downloads a file the server only gives with the token (e.g. the signed PDF): fetch → blob → <a download>. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await request("GET", path);
  const disposition = res.headers.get("Content-Disposition") ?? "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  const name = star ? decodeURIComponent(star[1]!) : plain ? plain[1]! : fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke later: some browsers start reading the blob only after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
