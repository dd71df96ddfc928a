// What the officer console and the insurer desk share about their staff: the sign-in form (one
// HTML fragment, sign-in.html, bundled into both pages), signing in and out, restoring the session
// a reload left in this tab, and the wording of a refused request.
import { api, ApiError, setToken } from "./api";
import type { MeResponse, SignInResponse } from "./contract";
import { byTestId, showScreen } from "./dom";
import { t, type Key } from "./i18n";
import signInHtml from "./sign-in.html";

/** The server's words for a refused request (title, detail, field errors), or "offline". */
export function problem(e: unknown): string {
  if (!(e instanceof ApiError)) return String(e);
  if (e.offline) return t("error.offline");
  return [e.title, e.detail, ...Object.values(e.errors).flat()].filter(Boolean).join(" ");
}

/**
 * Puts the sign-in form into the page's <section data-screen="signin">, titled with titleKey.
 * Call before applyI18n(), which fills its texts.
 */
export function mountSignIn(titleKey: Key): void {
  const section = byTestId("screen-signin");
  section.innerHTML = signInHtml;
  section.querySelector("h1")?.setAttribute("data-i18n", titleKey);
}

export interface SignInFlow<S> {
  /** sessionStorage key of the signed-in session (it survives a reload of the tab, not a closed tab). */
  storageKey: string;
  /** The session to keep for a signed-in account, or the text key saying why this page refuses it (then it is signed out again). */
  accept: (r: SignInResponse) => Promise<S | { refused: Key }>;
  /** Opens the page for the session (after a sign-in or a restore). */
  enter: (session: S) => Promise<void>;
}

/** Wires the sign-in form: on submit, signs in, keeps the session and enters the page. */
export function wireSignIn<S>(flow: SignInFlow<S>): void {
  byTestId("signin-form").addEventListener("submit", (e) => void signIn(e, flow));
}

async function signIn<S>(ev: Event, flow: SignInFlow<S>): Promise<void> {
  ev.preventDefault();
  const f = ev.target as HTMLFormElement;
  const err = byTestId("signin-error");
  err.hidden = true;
  const data = new FormData(f);
  try {
    const r = await api<SignInResponse>("POST", "/api/officers/sign-in", { username: data.get("username"), password: data.get("password") });
    setToken(r.token);
    const session = await flow.accept(r);
    if (typeof session === "object" && session !== null && "refused" in session) {
      try { await api("POST", "/api/officers/sign-out"); } catch { /* ends anyway */ }
      setToken(null);
      err.textContent = t(session.refused);
      err.hidden = false;
      return;
    }
    sessionStorage.setItem(flow.storageKey, JSON.stringify(session));
    f.reset();
    await flow.enter(session);
  } catch (e) {
    err.textContent = e instanceof ApiError && e.status === 401 ? t("console.wrongPassword") : problem(e);
    err.hidden = false;
  }
}

export async function signOut(storageKey: string): Promise<void> {
  try { await api("POST", "/api/officers/sign-out"); } catch { /* the session ends anyway */ }
  sessionStorage.removeItem(storageKey);
  location.reload();
}

/**
 * After a reload: enters the page with the session this tab kept, if the server still accepts its
 * token (GET /api/officers/me, whose answer enter gets too); otherwise forgets it (forget) and shows the sign-in form.
 */
export async function restoreSession<S extends { token: string }>(
  storageKey: string, enter: (session: S, me: MeResponse) => Promise<void>, forget: () => void,
): Promise<void> {
  let saved: S | null;
  try {
    saved = JSON.parse(sessionStorage.getItem(storageKey) ?? "null") as S | null;
  } catch {
    saved = null;
  }
  if (saved) {
    setToken(saved.token);
    try {
      const me = await api<MeResponse>("GET", "/api/officers/me");
      await enter(saved, me);
      return;
    } catch {
      // The session ended or expired (401), or the token is not staff's (403): sign in again.
      sessionStorage.removeItem(storageKey);
      forget();
      setToken(null);
    }
  }
  showScreen("signin");
  byTestId("signin-username").focus();
}
