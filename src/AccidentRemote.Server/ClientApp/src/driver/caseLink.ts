// The case outlives the tab: the case link (/case#<party token>) that reopens it on this phone in any browser,
// the session kept until the token ends, and copying (the link, the claim number).
import { api, setToken } from "../lib/api";
import type { CaseStatus, PartySession } from "../lib/contract";
import { setText, type Key } from "../lib/i18n";
import { goStart } from "./callState";
import { resume } from "./lifecycle";
import { loadSession, saveSession, state, type Session } from "./state";

const tokenFragment = /^#(ar_p_[A-Za-z0-9_-]{20,100})$/;

/**
 * The token of a case link (/case#ar_p_…), taken out of the address bar and the history at once. The fragment is
 * never sent in a request, so the token reaches no server log; it leaves the address bar so that a shared screen shows none.
 */
export function takeCaseLink(): string | null {
  const match = location.pathname === "/case" ? tokenFragment.exec(location.hash) : null;
  if (location.pathname === "/case") history.replaceState(null, "", "/");
  return match ? match[1] : null;
}

/** Opens the case a link's token belongs to (asking the server whose it is), as a reload would. */
export async function openCaseLink(token: string): Promise<void> {
  setToken(token);
  try {
    const who = await api<PartySession>("GET", "/api/party/session");
    const saved = loadSession();
    const same = saved?.partyId === who.partyId ? saved : null;
    const s: Session = {
      ...(same ?? { joinCode: null, latitude: null, longitude: null }),
      caseId: who.caseId, partyId: who.partyId, partyNumber: who.partyNumber, caseNumber: who.caseNumber, token, keepUntil: who.keepUntil,
    };
    saveSession(s);
    await resume(s);
  } catch {
    setToken(null);
    // A link whose case ended long ago (401), a mistyped one, or no network: the start page.
    goStart();
  }
}

let keptFor: string | null = null;

/** Each new status: ask until when the token lasts (it changes when the case ends), and keep the session that long. */
export function keepSession(status: CaseStatus): void {
  const s = state.session;
  if (!s || keptFor === `${s.partyId}:${status}`) return;
  keptFor = `${s.partyId}:${status}`;
  void api<PartySession>("GET", "/api/party/session").then((who) => {
    if (state.session?.partyId !== who.partyId) return;
    state.session.keepUntil = who.keepUntil;
    saveSession(state.session);
  }, () => undefined);
}

export function caseLink(): string | null {
  return state.session ? `${location.origin}/case#${state.session.token}` : null;
}

/** The case-link cards (on the waiting and the ended screen): the link and its copy button. */
export function renderCaseLink(): void {
  const link = caseLink();
  document.querySelectorAll<HTMLElement>("[data-case-link]").forEach((card) => {
    card.hidden = !link;
    const text = card.querySelector<HTMLElement>("[data-case-link-text]");
    if (text) text.textContent = link ?? "";
  });
}

/** Copies text; where the clipboard is refused (an old in-app browser), selects it for a long-press copy. */
export async function copy(text: string, button: HTMLElement, done: Key, shownIn?: HTMLElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    setText(button, done);
    button.dataset.copied = "true";
  } catch {
    if (shownIn) getSelection()?.selectAllChildren(shownIn);
  }
}

export function onCopyCaseLink(e: Event): void {
  const button = (e.target as HTMLElement).closest<HTMLElement>("[data-case-link-copy]");
  const link = caseLink();
  if (!button || !link) return;
  void copy(link, button, "caselink.copied", button.closest("[data-case-link]")?.querySelector<HTMLElement>("[data-case-link-text]") ?? undefined);
}
