// The call state on <body data-call-state> and <body data-hub> (tests read them), the call status
// line and the banner; and the start page, where the call state goes back to idle.
import { byTestId, showScreen } from "../lib/dom";
import { t, type Key } from "../lib/i18n";
import { iceState } from "./call";
import { hubLink } from "./hubLink";
import { isOver, state } from "./state";

type CallState = "idle" | "waiting" | "connecting" | "connected" | "reconnecting" | "ended";

function computeCallState(): CallState {
  if (state.ended) return "ended";
  if (!state.session) return "idle";
  if (!state.inCall) return "waiting";
  const ice = iceState();
  if (hubLink().reconnecting || ice === "disconnected" || ice === "failed") return "reconnecting";
  if (ice === "connected" || ice === "completed") return "connected";
  return "connecting";
}

export function renderCallState(): void {
  const callState = computeCallState();
  const link = hubLink();
  document.body.dataset.callState = callState;
  document.body.dataset.hub = link.state;
  byTestId("call-status").textContent = t(`call.state.${callState}` as Key);
  const banner = byTestId("banner");
  // Once the case is over the live connection is not needed (the server refuses it): no banner about it.
  const text = isOver() ? ""
    : link.reconnecting ? t("banner.reconnecting")
    : link.down && state.session ? t("banner.liveOff")
    : state.inCall && callState === "reconnecting" ? t("banner.iceReconnecting")
    : "";
  banner.textContent = text;
  banner.hidden = text === "";
}

// ---------- start ----------

export function goStart(): void {
  state.ended = false;
  renderCallState();
  showScreen("start");
}
