// The driver page's shared state: the party's session, the call flags every section reads, and the
// case's status. The status has one writer (setStatus) and the sections that follow it subscribe
// (onStatus); driver.ts wires the subscriptions in the order they must run.
import type { CaseStatus, Insurer } from "../lib/contract";

// ---------- session (survives a closed tab on this phone, until the party token ends) ----------

export interface Session {
  caseId: string;
  partyId: string;
  partyNumber: number;
  token: string;
  caseNumber: string;
  joinCode: string | null;
  /** The case's link secret (for the join link and QR), when this phone may show it. */
  joinSecret?: string | null;
  latitude: number | null;
  longitude: number | null;
  /** Set once the driver rated the handling (the server refuses a second rating). */
  rated?: boolean;
  /** Until when the phone keeps the session: the party token's end (GET /api/party/session), ISO 8601. */
  keepUntil?: string;
}

const sessionKey = "ar.driver";
/** Until the server names the token's end: its shortest lifetime after a case ends (Auth:PartyTokenLifetimeAfterCaseEnd is at least 1 hour; 30 days by default). */
const provisionalKeepMs = 24 * 3600 * 1000;

/**
 * The case of this phone: in localStorage, so closing the tab or leaving WeChat's browser does not lose it, with the
 * party token's own expiry (past it the token opens nothing, and the page forgets it). A session in sessionStorage
 * (an older page) moves over.
 */
export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(sessionKey) ?? sessionStorage.getItem(sessionKey);
    sessionStorage.removeItem(sessionKey);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (s.keepUntil && Date.parse(s.keepUntil) <= Date.now()) {
      localStorage.removeItem(sessionKey);
      return null;
    }
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  try {
    if (s) {
      s.keepUntil ??= new Date(Date.now() + provisionalKeepMs).toISOString();
      localStorage.setItem(sessionKey, JSON.stringify(s));
    } else {
      localStorage.removeItem(sessionKey);
      sessionStorage.removeItem(sessionKey);
    }
  } catch {
    // Storage off: the case still works until the tab reloads.
  }
}

export const state = {
  /** This party's case, null on the start page. */
  session: null as Session | null,
  /** The officer's call is on (an offer came, or the status says the case is being handled). */
  inCall: false,
  /** The driver hung up (the case goes on with the officer, who may call again); an offer ends it. */
  left: false,
  /** The call or the case ended; the "ended" screen shows until the driver goes back or starts over. */
  ended: false,
  /** The insurers (GET /api/insurers), asked once by whichever section needs them first. */
  insurers: null as Insurer[] | null,
};

// ---------- the case's status ----------

let status: CaseStatus | "" = "";
const listeners: ((status: CaseStatus) => void)[] = [];

/** The last status the server told (on entering, by the hub, or on a resync); "" before a case. */
export function caseStatus(): CaseStatus | "" {
  return status;
}

/** Calls listener on every status the page learns, also a repeated one (a section re-renders). */
export function onStatus(listener: (status: CaseStatus) => void): void {
  listeners.push(listener);
}

export function setStatus(next: CaseStatus): void {
  status = next;
  for (const listener of listeners) listener(next);
}

/** Case states (see the server's CaseStateMachine) in which the driver waits in the queue. */
const waitingStates: readonly string[] = ["reported", "queued"] satisfies CaseStatus[];
/** After these the case has no call: the server refuses the hub and relay servers, so the page does not ask. */
const overStates: readonly string[] = ["closed", "escalated", "abandoned"] satisfies CaseStatus[];

export const isWaiting = (s: CaseStatus | "" = status): boolean => waitingStates.includes(s);
export const isOver = (s: CaseStatus | "" = status): boolean => overStates.includes(s);
