// The console's live connection (SignalR hub): what the server pushes and who handles it, and the
// connection's state on <body data-hub>, in the header and in the banner.
import { boardChanged } from "../lib/board";
import type { CaseChanged, EvidenceAdded, PartyMoved, PeerChanged, QueueItem } from "../lib/contract";
import { byTestId } from "../lib/dom";
import { buildHub, startHub } from "../lib/hub";
import { has, t, type Key } from "../lib/i18n";
import { onPeerChanged, onSignal, watch } from "./call";
import { logEvent } from "./log";
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
  h.on("CaseChanged", (c: CaseChanged) => {
    if (state.current && c.caseId === state.current.id) setCaseStatus(c.status);
    boardChanged();
  });
  h.on("PartyMoved", (p: PartyMoved) => {
    const tile = findTile(p.partyId);
    if (!state.current || p.caseId !== state.current.id || !tile) return;
    byTestId(`tile-${tile.partyNumber}-moved`, tile.root).hidden = false;
    logEvent("PartyMoved", () => t("console.event.moved", { n: tile.partyNumber }));
  });
  h.on("EvidenceAdded", (e: EvidenceAdded) => {
    if (!state.current || e.caseId !== state.current.id) return;
    const tile = findTile(e.partyId);
    if (tile) { tile.evidence++; renderTile(tile); }
    logEvent("EvidenceAdded", () => t("console.event.evidence", { kind: has(`evidence.${e.kind}`) ? t(`evidence.${e.kind}` as Key) : e.kind, n: tile?.partyNumber ?? "–" }));
  });
  setHubState("connecting");
  const ok = await startHub(h, {
    onReconnecting: () => setHubState("reconnecting"),
    onReconnected: () => { setHubState("connected"); void loadQueue(); void watch(); },
    onDown: () => setHubState("down"),
  });
  setHubState(ok ? "connected" : "down");
}
