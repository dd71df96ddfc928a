// The video call: the officer offers, the driver's page answers (one RTCPeerConnection), and the
// call's end (hang-up, end of call, case closed or abandoned) with the "ended" screen.
import { api } from "../lib/api";
import { runAction } from "./actionStatus";
import type { CaseView, IncomingSignal } from "../lib/contract";
import { byTestId, showScreen } from "../lib/dom";
import { CandidateBuffer, fromIce, SerialQueue, toIceInit } from "../lib/hub";
import { t, type Key } from "../lib/i18n";
import { iceConfig } from "../lib/ice";
import { renderAfterCase } from "./afterCase";
import { renderCallState } from "./callState";
import { send } from "./hubLink";
import { localStream, mediaDecision, renderControls } from "./media";
import { caseStatus, state } from "./state";

let pc: RTCPeerConnection | null = null;
export const signals = new SerialQueue();
const candidates = new CandidateBuffer();

export function signalError(e: unknown): void {
  console.warn("signalling step failed", e);
}

async function createPc(): Promise<RTCPeerConnection> {
  const p = new RTCPeerConnection(await iceConfig(false));
  const remote = new MediaStream();
  const video = byTestId<HTMLVideoElement>("remote-video");
  video.srcObject = remote;
  p.ontrack = (e) => {
    remote.addTrack(e.track);
    e.track.onunmute = () => { void video.play().catch(() => undefined); };
    void video.play().catch(() => undefined);
  };
  p.onicecandidate = (e) => {
    if (e.candidate) void send({ type: "candidate", description: null, candidate: fromIce(e.candidate) }).catch(signalError);
  };
  p.oniceconnectionstatechange = () => renderCallState();
  p.onconnectionstatechange = () => renderCallState();
  return p;
}

export function closePc(): void {
  candidates.clear();
  if (pc) {
    pc.ontrack = pc.onicecandidate = pc.oniceconnectionstatechange = pc.onconnectionstatechange = null;
    pc.close();
  }
  pc = null;
}

/** Our tracks onto the transceivers the officer's offer made (no renegotiation needed later:
 *  mute, audio-only and camera switch all use replaceTrack). */
export async function attachTracks(p: RTCPeerConnection): Promise<void> {
  for (const kind of ["audio", "video"] as const) {
    const local = localStream();
    const track = local?.getTracks().find((x) => x.kind === kind) ?? null;
    const tr = p.getTransceivers().find((x) => x.receiver.track.kind === kind && x.currentDirection !== "stopped");
    if (!tr) continue;
    if (tr.sender.track !== track) await tr.sender.replaceTrack(track);
    if (track && local && "setStreams" in tr.sender) tr.sender.setStreams(local);
    if (track && tr.direction !== "sendrecv" && tr.direction !== "sendonly") tr.direction = "sendrecv";
  }
}

export function enterCall(): void {
  if (!state.inCall) state.left = false;
  state.inCall = true;
  state.ended = false;
  showScreen("call");
  renderControls();
  if (!localStream()) void mediaDecision();
  renderCallState();
}

export async function onSignal(s: IncomingSignal): Promise<void> {
  if (!state.session || s.caseId !== state.session.caseId || s.fromPartyId !== null) return;
  switch (s.type) {
    case "offer": {
      if (!s.description?.sdp) return;
      // The officer calls (again): also after the driver left the call, that is the call back.
      state.left = false;
      renderLeft();
      enterCall();
      await mediaDecision();
      const offer: RTCSessionDescriptionInit = { type: "offer", sdp: s.description.sdp };
      pc ??= await createPc();
      try {
        await pc.setRemoteDescription(offer);
      } catch {
        // An offer from a new connection on the officer's side that does not fit ours: start afresh.
        closePc();
        pc = await createPc();
        await pc.setRemoteDescription(offer);
      }
      await attachTracks(pc);
      await candidates.flush(pc);
      await pc.setLocalDescription(await pc.createAnswer());
      await send({ type: "answer", description: { type: "answer", sdp: pc.localDescription?.sdp ?? null }, candidate: null });
      renderCallState();
      break;
    }
    case "candidate":
      await candidates.add(pc, toIceInit(s.candidate));
      break;
    case "hangup":
      endCall("hangup");
      break;
    case "answer":
      break; // the driver never offers
  }
}

type EndReason = "hangup" | "end-call" | "closed" | "abandoned";
let endReason: EndReason = "hangup";
/** Why the case was abandoned: `expired` when nobody answered it in time (Cases:UnansweredExpiry). */
let abandonReason: string | null = null;

export async function loadAbandonReason(): Promise<void> {
  if (!state.session) return;
  try {
    abandonReason = (await api<CaseView>("GET", `/api/cases/${state.session.caseId}`)).abandonReason ?? null;
  } catch {
    abandonReason = null; // offline: the generic text stays
  }
  if (state.ended) renderEnded();
}

export function endCall(reason: EndReason): void {
  // The officer's console hangs up right after closing: that must not turn "closed" back into "call ended".
  if (reason === "hangup" && (caseStatus() === "closed" || caseStatus() === "abandoned")) return;
  closePc();
  state.inCall = false;
  state.left = false;
  renderLeft();
  hangUpConfirm(false);
  state.ended = true;
  endReason = reason;
  renderEnded();
  byTestId("instruction").hidden = true;
  showScreen("ended");
  renderCallState();
}

export function renderEnded(): void {
  const final = endReason === "closed" || endReason === "abandoned";
  const [title, text]: [Key, Key] = endReason === "closed" ? ["ended.closedTitle", "ended.closedText"]
    : endReason === "abandoned" && abandonReason === "expired" ? ["ended.expiredTitle", "ended.expiredText"]
    : endReason === "abandoned" ? ["ended.abandonedTitle", "ended.abandonedText"]
    : ["ended.title", "ended.text"];
  byTestId("ended-title").textContent = t(title);
  byTestId("ended-text").textContent = t(text);
  byTestId("ended-back").hidden = final;
  renderAfterCase();
}

export function iceState(): RTCIceConnectionState | null {
  return pc ? pc.iceConnectionState : null;
}

/** New local tracks (camera back, audio only, switched camera) onto the call, if there is one. */
export async function attachToCall(): Promise<void> {
  if (pc) await attachTracks(pc);
}

/** The call ended because the case closed: the after-case cards show. */
export const endedClosed = (): boolean => state.ended && endReason === "closed";

// ---------- the big picture ----------

let filming = false;
let swapped = false;

/** An instruction to film the cars (or photograph them) makes the driver's own camera the big picture; its end gives it back. */
export function setFilming(on: boolean): void {
  filming = on;
  swapped = false;
  renderVideos();
}

export function swapVideos(): void {
  swapped = !swapped;
  renderVideos();
}

function renderVideos(): void {
  byTestId("videos").dataset.big = filming !== swapped ? "local" : "remote";
}

// ---------- hanging up and asking to be called back ----------

export function hangUpConfirm(show: boolean): void {
  byTestId("hangup-confirm").hidden = !show;
  if (show) byTestId("hangup-yes").focus();
}

/**
 * The driver leaves the call: the connection closes (the console is told by the hangup signal and
 * the "left" notice), the case stays with the officer. The call screen says so and offers "call me
 * back"; an offer from the officer brings the call back.
 */
export async function hangUp(): Promise<void> {
  hangUpConfirm(false);
  if (!state.session) return;
  await send({ type: "hangup", description: null, candidate: null }).catch(() => undefined);
  closePc();
  state.left = true;
  renderLeft();
  renderCallState();
  await notice("left");
}

export async function callMeBack(): Promise<void> {
  await notice("call-back");
}

function notice(kind: "left" | "call-back"): Promise<boolean> {
  const session = state.session;
  if (!session) return Promise.resolve(false);
  return runAction({
    status: "call-notice-status",
    button: byTestId<HTMLButtonElement>(kind === "left" ? "hang-up" : "call-back"),
    sent: kind === "left" ? "callScreen.leftSent" : "callScreen.callBackSent",
    run: () => api("POST", `/api/cases/${session.caseId}/call-notices`, { kind }).then(() => undefined),
  });
}

function renderLeft(): void {
  byTestId("left-card").hidden = !state.left;
  byTestId<HTMLButtonElement>("hang-up").disabled = state.left;
  document.body.dataset.leftCall = String(state.left);
}
