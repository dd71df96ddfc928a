// The console's shared state: the signed-in officer, the live connection, the queue, the open case
// with its tiles, and the officer's own camera. The case's status has one writer (setCaseStatus)
// and the sections that show it subscribe (onCaseStatus); console.ts wires the subscriptions.
import type { HubConnection } from "@microsoft/signalr";
import type { CaseStatus, QueueItem, SignInResponse } from "../lib/contract";
import type { CandidateBuffer, SerialQueue } from "../lib/hub";

/** sessionStorage key of the officer's session; `${storageKey}.case` keeps the open case across a reload. */
export const storageKey = "ar.officer";
/** `/console?relay=1`: TURN only (iceTransportPolicy "relay"). */
export const relayOnly = new URLSearchParams(location.search).get("relay") === "1";

export interface OfficerSession { token: string; officer: SignInResponse["officer"] }

/** One party of the open case: its video tile and its RTCPeerConnection (the console always offers). */
export interface Tile {
  partyId: string;
  partyNumber: number;
  plate: string;
  online: boolean;
  root: HTMLElement;
  video: HTMLVideoElement;
  pc: RTCPeerConnection | null;
  queue: SerialQueue;
  candidates: CandidateBuffer;
  audioOnly: boolean;
  evidence: number;
  /** The officer's checklist of this party: confirmed its car moved, gave its details, signed the document. */
  moved: boolean;
  details: boolean;
  signed: boolean;
}

export interface OpenCase { id: string; caseNumber: string; status: CaseStatus }

export const state = {
  officer: null as OfficerSession | null,
  hub: null as HubConnection | null,
  /** The waiting cases as the server last sent them, and when (waiting times count on from there). */
  queue: [] as QueueItem[],
  queueAt: Date.now(),
  /** The case this officer has open, null when the panel is empty. */
  current: null as OpenCase | null,
  /** The open case's parties, by party number. */
  tiles: [] as Tile[],
  /** Index of the picked tile (keys 1-5; S screenshots it). */
  selected: 0,
  /** The officer's camera and microphone, asked once when the first case opens. */
  local: null as MediaStream | null,
};

// ---------- the open case's status ----------

const listeners: ((status: CaseStatus) => void)[] = [];

/** Calls listener on every status the console learns for the open case, also a repeated one. */
export function onCaseStatus(listener: (status: CaseStatus) => void): void {
  listeners.push(listener);
}

/** The open case's status (opened, an action's answer, or a hub push); nothing when no case is open. */
export function setCaseStatus(next: CaseStatus): void {
  if (!state.current) return;
  state.current.status = next;
  for (const listener of listeners) listener(next);
}
