// The live connection (SignalR hub) of the driver's page: what the server pushes and who handles
// it, restarting after SignalR gives up, catching up after a gap, and sending call signals.
import { HubConnectionState, type HubConnection } from "@microsoft/signalr";
import { api } from "../lib/api";
import type { CaseChanged, CaseView, ClaimAcknowledged, IncomingSignal, Instruction, MergedMessage, OutgoingSignal, QueuePosition } from "../lib/contract";
import type { DuplicateQuestionMessage } from "../lib/contract";
import { startHub, buildHub } from "../lib/hub";
import { checkClaim, showClaim } from "./afterCase";
import { onSignal, signalError, signals } from "./call";
import { renderCallState } from "./callState";
import { refreshQueuePosition, showQueue } from "./case";
import { onInstruction } from "./instructions";
import { onMerged, onRejected, refreshIntake } from "./joining";
import { caseStatus, isOver, isWaiting, setStatus, state } from "./state";

let hub: HubConnection | null = null;
let hubReconnecting = false;
let hubDown = false;

/** What <body data-hub> and the banner show of the live connection. */
export function hubLink(): { state: "none" | "down" | "reconnecting" | "connected" | "connecting"; reconnecting: boolean; down: boolean } {
  const linkState = !hub ? "none" : hubDown ? "down" : hubReconnecting ? "reconnecting"
    : hub.state === HubConnectionState.Connected ? "connected" : "connecting";
  return { state: linkState, reconnecting: hubReconnecting, down: hubDown };
}

export async function connectHub(): Promise<void> {
  if (hub || !state.session) return;
  const h = buildHub(() => state.session?.token ?? null);
  hub = h;
  renderCallState();
  h.on("QueuePosition", (q: QueuePosition) => { if (q.caseId === state.session?.caseId) showQueue(q); });
  h.on("CaseChanged", (c: CaseChanged) => { if (c.caseId === state.session?.caseId) { setStatus(c.status); void refreshIntake(); } });
  h.on("DuplicateQuestion", (q: DuplicateQuestionMessage) => { if (q.caseId === state.session?.caseId) void refreshIntake(); });
  h.on("Merged", (m: MergedMessage) => void onMerged(m));
  h.on("PartyRejected", (r: { caseId: string; partyId: string }) => { if (r.caseId === state.session?.caseId && r.partyId === state.session.partyId) onRejected(); });
  h.on("Signal", (s: IncomingSignal) => signals.run(() => onSignal(s), signalError));
  h.on("Instruction", (i: Instruction) => { if (i.caseId === state.session?.caseId) onInstruction(i); });
  h.on("ClaimAcknowledged", (c: ClaimAcknowledged) => { if (c.caseId === state.session?.caseId) void showClaim(c); });
  const ok = await startHub(h, {
    onReconnecting: () => { if (hub !== h) return; hubReconnecting = true; renderCallState(); },
    onReconnected: () => { if (hub !== h) return; hubReconnecting = false; hubDown = false; hubRestarts = 0; renderCallState(); void resync(); },
    onDown: () => {
      if (hub !== h) return;
      hubReconnecting = false;
      hubDown = true;
      renderCallState();
      if (!isOver()) scheduleHubRestart(nextRestartDelay());
    },
  });
  if (hub !== h) return;
  hubDown = !ok;
  renderCallState();
  // A change pushed between the page's last read and the hub joining its groups (an officer accepting
  // right then) would be missed: the call would run with the status still "queued".
  if (ok) void resync();
}

// SignalR's automatic reconnect gives up after about 23 s; a phone in a tunnel or a lift is off
// longer. After that the page keeps trying on its own (and at once when the browser says it is
// online again), so the driver never has to reload to get the officer back. 5 s, doubling up to 60 s.
let hubRestart: number | undefined;
let hubRestarts = 0;

function nextRestartDelay(): number {
  return Math.min(60000, 5000 * 2 ** Math.min(hubRestarts++, 4));
}

function scheduleHubRestart(delay: number): void {
  window.clearTimeout(hubRestart);
  hubRestart = window.setTimeout(() => void restartHub(), delay);
}

async function restartHub(): Promise<void> {
  const h = hub;
  if (!h || !state.session || !hubDown || h.state !== HubConnectionState.Disconnected) return;
  try {
    await h.start();
  } catch {
    if (hub === h) scheduleHubRestart(nextRestartDelay());
    return;
  }
  if (hub !== h) return;
  hubRestarts = 0;
  // A new connection: the server puts it in the case's groups and tells the officer, whose console offers again.
  hubDown = false;
  renderCallState();
  void resync();
}

/** After a gap in the live connection: what did we miss? */
async function resync(): Promise<void> {
  if (!state.session) return;
  try {
    const c = await api<CaseView>("GET", `/api/cases/${state.session.caseId}`);
    if (c.status !== caseStatus()) setStatus(c.status);
  } catch {
    // Still offline: the banner says so.
  }
  if (isWaiting()) void refreshQueuePosition();
  if (caseStatus() === "closed") void checkClaim();
}

export async function send(sig: Omit<OutgoingSignal, "caseId" | "toPartyId">): Promise<void> {
  if (!hub || !state.session) return;
  await hub.invoke("Signal", { caseId: state.session.caseId, toPartyId: null, ...sig } satisfies OutgoingSignal);
}

/** The browser is online again: if the link is down, try at once rather than at the next back-off. */
export function onOnline(): void {
  if (hubDown) scheduleHubRestart(0);
}

/** Leaves the case's connection: moving to a merged case (a new connection joins its groups) or starting over. */
export function dropHub(forgetBackoff: boolean): void {
  const old = hub;
  hub = null;
  window.clearTimeout(hubRestart);
  if (forgetBackoff) hubRestarts = 0;
  hubDown = false;
  void old?.stop();
}
