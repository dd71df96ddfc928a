// The video call, one RTCPeerConnection per party: the console always offers (on opening the case,
// when a party comes online, and with an ICE restart when the connection fails), and hangs up.
import type { CallNotice, CallRoster, IncomingSignal, OutgoingSignal, PeerChanged } from "../lib/contract";
import { byTestId, el } from "../lib/dom";
import { fromIce, toIceInit } from "../lib/hub";
import { iceConfig } from "../lib/ice";
import { t } from "../lib/i18n";
import { confirmStep } from "./dialogs";
import { instruct } from "./evidence";
import { logEvent, message } from "./log";
import { relayOnly, state, type Tile } from "./state";
import { findTile, isConnected, renderTile, upsertTile } from "./tiles";

export async function startLocalMedia(): Promise<void> {
  if (state.local || !navigator.mediaDevices?.getUserMedia) return;
  try {
    state.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } });
  } catch {
    try {
      state.local = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      state.local = null;
      message(t("console.noMic"));
    }
  }
  byTestId<HTMLVideoElement>("officer-video").srcObject = state.local;
}

/** Asks the hub for the roster; offers to every party that is online. */
export async function watch(): Promise<void> {
  if (!state.current || !state.hub || state.hub.state !== "Connected") {
    if (state.current) message(t("console.noLive"));
    return;
  }
  try {
    const roster = await state.hub.invoke<CallRoster>("WatchCase", state.current.id);
    const number = state.current.caseNumber, online = roster.parties.filter((p) => p.online).length, total = roster.parties.length;
    logEvent("Watching", () => t("console.event.watching", { number, online, total }));
    for (const p of roster.parties) {
      const tile = upsertTile(p.partyId, p.partyNumber, p.plate, p.online, undefined);
      if (p.online && !isConnected(tile)) tile.queue.run(() => offer(tile), offerError(tile));
    }
  } catch (e) {
    message(e instanceof Error ? e.message : String(e));
  }
}

async function send(tile: Tile, sig: Omit<OutgoingSignal, "caseId" | "toPartyId">): Promise<void> {
  const { hub, current } = state;
  if (!hub || !current) return;
  await hub.invoke("Signal", { caseId: current.id, toPartyId: tile.partyId, ...sig } satisfies OutgoingSignal);
}

function offerError(tile: Tile): (e: unknown) => void {
  return (e) => {
    console.warn(`signalling with party ${tile.partyNumber} failed`, e);
    renderTile(tile);
  };
}

async function createPc(tile: Tile): Promise<RTCPeerConnection> {
  const pc = new RTCPeerConnection(await iceConfig(relayOnly));
  const local = state.local;
  for (const kind of ["audio", "video"] as const) {
    const track = local?.getTracks().find((x) => x.kind === kind);
    // sendrecv even without our camera: the party's phone sends on this transceiver.
    if (track && local) pc.addTransceiver(track, { direction: "sendrecv", streams: [local] });
    else pc.addTransceiver(kind, { direction: "recvonly" });
  }
  const remote = new MediaStream();
  tile.video.srcObject = remote;
  pc.ontrack = (e) => {
    remote.addTrack(e.track);
    void tile.video.play().catch(() => undefined);
  };
  pc.onicecandidate = (e) => {
    if (e.candidate) void send(tile, { type: "candidate", description: null, candidate: fromIce(e.candidate) }).catch(offerError(tile));
  };
  pc.oniceconnectionstatechange = () => {
    renderTile(tile);
    if (pc.iceConnectionState === "failed" && tile.pc === pc) tile.queue.run(() => offer(tile, true), offerError(tile));
  };
  return pc;
}

function closeTilePc(tile: Tile): void {
  tile.candidates.clear();
  if (tile.pc) {
    tile.pc.ontrack = tile.pc.onicecandidate = tile.pc.oniceconnectionstatechange = null;
    tile.pc.close();
  }
  tile.pc = null;
}

/** Offers to a party; with an existing connection the offer restarts ICE (the phone came back). */
async function offer(tile: Tile, restart = tile.pc !== null): Promise<void> {
  if (!state.current) return;
  if (!tile.pc || tile.pc.signalingState === "closed") {
    closeTilePc(tile);
    tile.pc = await createPc(tile);
    restart = false;
  }
  const pc = tile.pc;
  await pc.setLocalDescription(await pc.createOffer({ iceRestart: restart }));
  await send(tile, { type: "offer", description: { type: "offer", sdp: pc.localDescription?.sdp ?? null }, candidate: null });
  renderTile(tile);
}

async function onAnswer(tile: Tile, sdp: string): Promise<void> {
  const pc = tile.pc;
  if (!pc || pc.signalingState !== "have-local-offer") return; // an answer to an offer we replaced
  try {
    await pc.setRemoteDescription({ type: "answer", sdp });
  } catch {
    // The phone reloaded and answered with a new DTLS identity: start a fresh connection.
    closeTilePc(tile);
    await offer(tile, false);
    return;
  }
  await tile.candidates.flush(pc);
  renderTile(tile);
}

export function onSignal(s: IncomingSignal): void {
  if (!state.current || s.caseId !== state.current.id || !s.fromPartyId) return;
  const tile = findTile(s.fromPartyId);
  if (!tile) return;
  tile.queue.run(async () => {
    if (s.type === "answer" && s.description?.sdp) await onAnswer(tile, s.description.sdp);
    else if (s.type === "candidate") await tile.candidates.add(tile.pc, toIceInit(s.candidate));
    else if (s.type === "hangup") { closeTilePc(tile); renderTile(tile); }
  }, offerError(tile));
}

export async function onPeerChanged(p: PeerChanged): Promise<void> {
  if (!state.current || p.caseId !== state.current.id) return;
  let tile = findTile(p.partyId);
  if (!tile) {
    await watch(); // a party who joined after we opened the case
    tile = findTile(p.partyId);
    if (!tile) return;
  }
  tile.online = p.online;
  const n = tile.partyNumber, key = p.online ? "console.event.online" : "console.event.offline";
  logEvent("PeerChanged", () => t(key, { n }));
  renderTile(tile);
  if (p.online) {
    const tl = tile;
    tl.queue.run(() => offer(tl), offerError(tl));
  }
}

export function hangUpAll(): void {
  for (const tile of state.tiles) {
    void send(tile, { type: "hangup", description: null, candidate: null }).catch(() => undefined);
    closeTilePc(tile);
    renderTile(tile);
  }
}

export async function endCall(): Promise<void> {
  if (!(await confirmStep("officer.confirm.endTitle", "officer.confirm.endText", "console.endCall"))) return;
  await instruct("end-call", null);
  hangUpAll();
}

/**
 * A party left the call on its phone, or asks to be called back (POST /api/cases/{id}/call-notices):
 * the event log says so, and the party's tile gets a button that calls it again (a new offer).
 */
export function onCallNotice(n: CallNotice): void {
  if (!state.current || n.caseId !== state.current.id) return;
  const tile = findTile(n.partyId);
  if (!tile) return;
  const key = n.kind === "left" ? "console.callNotice.left" : "console.callNotice.callBack";
  logEvent("CallNotice", t(key, { n: tile.partyNumber }));
  const id = `tile-${tile.partyNumber}-call-notice`;
  let button = tile.root.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`);
  if (!button) {
    const made = el("button", { type: "button", class: "badge bad", "data-testid": id });
    made.addEventListener("click", (e) => {
      e.stopPropagation();
      made.remove();
      tile.queue.run(() => offer(tile, false), offerError(tile));
    });
    tile.root.querySelector(".tile-head")?.append(made);
    button = made;
  }
  button.dataset.kind = n.kind;
  button.textContent = `${t(key, { n: tile.partyNumber })} · ${t("console.callBack", { n: tile.partyNumber })}`;
}
