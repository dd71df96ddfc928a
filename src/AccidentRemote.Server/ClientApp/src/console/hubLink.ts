// The console's live connection (SignalR hub): what the server pushes and who handles it, and the
// connection's state on <body data-hub>, in the header and in the banner.
import { boardChanged } from "../lib/board";
import type { CallNotice, CaseChanged, EvidenceAdded, PartyMoved, PartyObjected, PartyProgress, PeerChanged, QueueItem } from "../lib/contract";
import { byTestId } from "../lib/dom";
import { buildHub, startHub } from "../lib/hub";
import { has, t, type Key } from "../lib/i18n";
import { onCallNotice, onPeerChanged, onSignal, watch } from "./call";
import { loadSignatures } from "./case";
import { loadGallery } from "./gallery";
import { logEvent } from "./log";
import { loadObjections, onObjection } from "./objections";
import { loadQueue, setQueue } from "./queue";
import { setCaseStatus, state } from "./state";
import { findTile, renderTile } from "./tiles";

export type HubState = "connecting" | "connected" | "reconnecting" | "down";

export function setHubState(hubState: HubState): void {
  document.body.dataset.hub = hubState;
  byTestId("hub-state").textContent = t(`console.hub.${hubState}` as Key);
  const banner = byTestId("banner");
  banner.hidden = hubState === "connected" || hubState === "connecting";
  banner.textContent = hubState === "reconnecting" ? t("banner.reconnecting") : hubState === "down" ? t("console.liveOff") : "";
}

export async function connectHub(): Promise<void> {
  const h = buildHub(() => state.officer?.token ?? null);
  state.hub = h;
  h.on("QueueChanged", (items: QueueItem[]) => { setQueue(items); boardChanged(); });
  h.on("Signal", onSignal);
  h.on("PeerChanged", (p: PeerChanged) => void onPeerChanged(p));
  h.on("CallNotice", (n: CallNotice) => onCallNotice(n));
  h.on("CaseChanged", (c: CaseChanged) => {
    if (state.current && c.caseId === state.current.id) { setCaseStatus(c.status); void loadObjections(c.caseId); }
    boardChanged();
  });
  h.on("PartyMoved", (p: PartyMoved) => {
    const tile = findTile(p.partyId);
    if (!state.current || p.caseId !== state.current.id || !tile) return;
    byTestId(`tile-${tile.partyNumber}-moved`, tile.root).hidden = false;
    tile.moved = true;
    renderTile(tile);
    logEvent("PartyMoved", () => t("console.event.moved", { n: tile.partyNumber }));
  });
  h.on("PartyObjected", (o: PartyObjected) => onObjection(o));
  h.on("EvidenceAdded", (e: EvidenceAdded) => {
    if (!state.current || e.caseId !== state.current.id) return;
    const tile = findTile(e.partyId);
    if (tile) { tile.evidence++; renderTile(tile); }
    void loadGallery(e.caseId);
    logEvent("EvidenceAdded", () => t("console.event.evidence", { kind: has(`evidence.${e.kind}`) ? t(`evidence.${e.kind}` as Key) : e.kind, n: tile?.partyNumber ?? "–" }));
  });
  h.on("PartyProgress", (p: PartyProgress) => {
    const tile = findTile(p.partyId);
    if (!state.current || p.caseId !== state.current.id || !tile) return;
    if (p.step === "details") {
      tile.details = true;
      logEvent("PartyProgress", t("officer.event.details", { n: tile.partyNumber }));
    } else {
      logEvent("PartyProgress", t("officer.event.signed", { n: tile.partyNumber }));
    }
    renderTile(tile);
    // A signature, or details that voided the signatures while signing: who has signed, as the server has it.
    void loadSignatures();
  });
  setHubState("connecting");
  const ok = await startHub(h, {
    onReconnecting: () => setHubState("reconnecting"),
    onReconnected: () => { setHubState("connected"); void loadQueue(); void watch(); },
    onDown: () => setHubState("down"),
  });
  setHubState(ok ? "connected" : "down");
}
