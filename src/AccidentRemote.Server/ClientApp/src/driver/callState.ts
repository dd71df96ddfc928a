// The call state on <body data-call-state> and <body data-hub> (tests read them), the call status
// line and the banner; and the start page, where the call state goes back to idle.
import { byTestId, showScreen } from "../lib/dom";
import { t, type Key } from "../lib/i18n";
import { iceState } from "./call";
import { hubLink } from "./hubLink";
import { isOver, state } from "./state";

type CallState = "idle" | "waiting" | "connecting" | "connected" | "reconnecting" | "left" | "ended";

function computeCallState(): CallState {
  if (state.ended) return "ended";
  if (!state.session) return "idle";
  if (!state.inCall) return "waiting";
  if (state.left) return "left";
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

// ---------- what sits on top of the page ----------

/** --bar-h (the sticky header's height) and --top-h (header and banner) for the sticky banner and the instruction's scroll margin. */
export function watchTopBars(): void {
  const header = document.querySelector<HTMLElement>("header.bar");
  const banner = byTestId("banner");
  if (!header) return;
  const measure = () => {
    const bar = header.getBoundingClientRect().height;
    const top = bar + (banner.hidden ? 0 : banner.getBoundingClientRect().height);
    document.documentElement.style.setProperty("--bar-h", `${Math.round(bar)}px`);
    document.documentElement.style.setProperty("--top-h", `${Math.round(top)}px`);
  };
  measure();
  if ("ResizeObserver" in window) {
    const o = new ResizeObserver(measure);
    o.observe(header);
    o.observe(banner);
  }
  new MutationObserver(measure).observe(banner, { attributes: true, attributeFilter: ["hidden"] });
}
