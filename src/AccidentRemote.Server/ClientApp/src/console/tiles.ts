// The open case's video tiles, one per party: made when a party is first seen, picked with 1-5,
// and their badges (connection, moved, evidence count, 交强险, consent).
import type { PartyView } from "../lib/contract";
import { Angles, Liabilities } from "../lib/contract";
import { byTestId, el } from "../lib/dom";
import { CandidateBuffer, SerialQueue } from "../lib/hub";
import { has, t, type Key } from "../lib/i18n";
import { instruct, screenshot, toggleAudioOnly } from "./evidence";
import { renderGates } from "./gates";
import { fillPhrases, phraseSelect, sendPhrase } from "./phrases";
import { state, type Tile } from "./state";

/** The officer's checklist per party, in this order: on video, car moved, details given, signed. */
const checks = ["video", "moved", "details", "signed"] as const;

export function upsertTile(partyId: string, partyNumber: number, plate: string, online: boolean, liability: string | null | undefined): Tile {
  let tile = state.tiles.find((x) => x.partyId === partyId);
  if (!tile) {
    const n = partyNumber;
    const video = el("video", { "data-testid": `tile-${n}-video`, autoplay: "", playsinline: "", "data-frames": "0" });
    const angle = el("select", { "data-testid": `tile-${n}-angle`, "data-i18n-aria": "a11y.photoAngle", "aria-label": t("a11y.photoAngle") },
      ...Angles.map((a) => el("option", { value: a, "data-i18n": `angle.${a}`, text: t(`angle.${a}` as Key) })));
    const liab = el("select", { "data-testid": `tile-${n}-liability` },
      el("option", { value: "", "data-i18n": "console.liabilityChoose", text: t("console.liabilityChoose") }),
      ...Liabilities.map((l) => el("option", { value: l, "data-i18n": `liability.${l}`, text: t(`liability.${l}` as Key) })));
    if (liability) liab.value = liability;
    const button = (id: string, key: Key) => el("button", { type: "button", "data-testid": `tile-${n}-${id}`, "data-i18n": key, text: t(key) });
    const shot = button("screenshot", "console.screenshot");
    const photo = button("photo", "console.requestPhoto");
    const audio = button("audio-only", "console.audioOnly");
    const phrase = phraseSelect(n);
    const say = button("phrase-send", "officer.phrase.send");
    say.setAttribute("aria-keyshortcuts", "T");
    const root = el("article", { class: "tile", "data-testid": `tile-${n}`, "data-party-id": partyId, "data-party-number": String(n), "data-state": "offline" },
      el("div", { class: "tile-head" },
        el("strong", { class: "plate" }, `#${n} `, el("span", { "data-testid": `tile-${n}-plate`, text: plate })),
        el("span", { class: "badge", "data-testid": `tile-${n}-state` }),
        el("span", { class: "badge ok", "data-testid": `tile-${n}-moved`, "data-i18n": "console.moved", text: t("console.moved"), hidden: "" }),
        el("span", { class: "badge", "data-testid": `tile-${n}-evidence`, text: "" }),
        el("span", { class: "badge", "data-testid": `tile-${n}-insurance`, hidden: "" }),
        el("span", { class: "badge", "data-testid": `tile-${n}-consent`, hidden: "" })),
      el("ul", { class: "checklist", "data-testid": `tile-${n}-checklist` },
        ...checks.map((c) => el("li", { "data-testid": `tile-${n}-check-${c}`, "data-done": "false" }))),
      video,
      el("div", { class: "tile-tools" }, shot, audio, angle, photo),
      el("div", { class: "tile-tools" }, phrase, say),
      el("label", { class: "liability" }, el("span", { "data-i18n": "console.liability", text: t("console.liability") }), liab));
    const made: Tile = { partyId, partyNumber: n, plate, online, root, video, pc: null, queue: new SerialQueue(), candidates: new CandidateBuffer(), audioOnly: false, evidence: 0, moved: false, details: false, signed: false };
    tile = made;
    root.addEventListener("click", () => select(state.tiles.indexOf(made)));
    shot.addEventListener("click", () => void screenshot(made));
    photo.addEventListener("click", () => void instruct("photo", made.partyId, angle.value));
    audio.addEventListener("click", () => void toggleAudioOnly(made));
    say.addEventListener("click", () => void sendPhrase(made, phrase.value));
    // Key T puts the focus here: arrows choose, Enter sends.
    phrase.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !say.disabled) { e.preventDefault(); void sendPhrase(made, phrase.value); }
    });
    countFrames(video);
    state.tiles.push(tile);
    state.tiles.sort((a, b) => a.partyNumber - b.partyNumber);
    byTestId("tiles").replaceChildren(...state.tiles.map((x) => x.root));
    select(state.selected);
  }
  tile.online = online || tile.online;
  renderTile(tile);
  return tile;
}

export function findTile(partyId: string | null | undefined): Tile | undefined {
  return state.tiles.find((x) => x.partyId === partyId);
}

/**
 * 交强险 of the party from its declared insurer's policy record, and a second badge when other
 * insurers' records disagree (the officer checks the policy papers); nothing when the server does not send it.
 */
export function renderInsurance(tile: Tile, value: PartyView["compulsoryInsurance"], conflict?: PartyView["compulsoryConflict"]): void {
  const badge = byTestId(`tile-${tile.partyNumber}-insurance`, tile.root);
  badge.hidden = !value;
  if (value) {
    badge.dataset.value = value;
    badge.classList.toggle("bad", value === "expired" || value === "not_started");
    badge.classList.toggle("ok", value === "valid");
    const key = `console.insurance.${value}`;
    badge.dataset.i18n = has(key) ? key : "console.insurance.unknown";
    badge.textContent = t(badge.dataset.i18n as Key);
  }
  let flag = tile.root.querySelector<HTMLElement>(`[data-testid="tile-${tile.partyNumber}-insurance-conflict"]`);
  if (!flag) {
    flag = el("span", { class: "badge bad", "data-testid": `tile-${tile.partyNumber}-insurance-conflict`, hidden: "" });
    badge.after(flag);
  }
  flag.hidden = !conflict;
  if (!conflict) return;
  flag.dataset.value = conflict;
  const key = `console.insurance.conflict.${conflict}`;
  flag.dataset.i18n = has(key) ? key : "console.insurance.conflict.other_insurer_cover";
  flag.textContent = t(flag.dataset.i18n as Key);
}

/** The privacy notice the party agreed to before reporting or joining (PIPL): language and time; version in the title. */
export function renderConsent(tile: Tile, consent: PartyView["consent"]): void {
  const badge = byTestId(`tile-${tile.partyNumber}-consent`, tile.root);
  badge.hidden = !consent;
  if (!consent) return;
  badge.dataset.version = consent.noticeVersion;
  badge.dataset.language = consent.language;
  badge.dataset.i18n = "console.consent";
  badge.dataset.i18nVars = JSON.stringify({ language: consent.language, at: new Date(consent.at).toLocaleTimeString("zh-CN", { hour12: false }) });
  badge.textContent = t("console.consent", JSON.parse(badge.dataset.i18nVars) as Record<string, string>);
  badge.title = `${consent.noticeVersion} · ${consent.at}`;
}

export function select(i: number): void {
  if (i < 0 || i >= state.tiles.length) return;
  state.selected = i;
  state.tiles.forEach((x, j) => { x.root.dataset.selected = String(j === i); });
}

export function isConnected(tile: Tile): boolean {
  const s = tile.pc?.iceConnectionState;
  return s === "connected" || s === "completed";
}

function tileState(tile: Tile): string {
  const ice = tile.pc?.iceConnectionState;
  if (!tile.online && !isConnected(tile)) return "offline";
  if (ice === "connected" || ice === "completed") return "connected";
  if (ice === "disconnected" || ice === "failed") return "reconnecting";
  return "connecting";
}

export function renderTile(tile: Tile): void {
  const shown = tileState(tile);
  const n = tile.partyNumber;
  tile.root.dataset.state = shown;
  tile.root.dataset.online = String(tile.online);
  byTestId(`tile-${n}-state`, tile.root).textContent = t(`console.tile.${shown}` as Key);
  byTestId(`tile-${n}-audio-only`, tile.root).textContent = t(tile.audioOnly ? "console.video" : "console.audioOnly");
  byTestId(`tile-${n}-audio-only`, tile.root).setAttribute("aria-pressed", String(tile.audioOnly));
  byTestId(`tile-${n}-evidence`, tile.root).textContent = tile.evidence ? t("console.evidenceCount", { n: tile.evidence }) : "";
  fillPhrases(byTestId<HTMLSelectElement>(`tile-${n}-phrase`, tile.root));
  renderChecklist(tile);
  renderGates();
}

/** The case's status says the cars are off the road for everyone once the officer recorded it. */
const movedStates = ["vehicles_moved", "liability_determined", "awaiting_signatures", "closed"];

export function renderChecklist(tile: Tile): void {
  const n = tile.partyNumber;
  const done: Record<(typeof checks)[number], boolean> = {
    video: isConnected(tile),
    moved: tile.moved || movedStates.includes(state.current?.status ?? ""),
    details: tile.details,
    signed: tile.signed,
  };
  for (const c of checks) {
    const item = byTestId(`tile-${n}-check-${c}`, tile.root);
    const label = t(`officer.check.${c}` as Key);
    item.dataset.done = String(done[c]);
    item.replaceChildren(el("span", { class: "mark", "aria-hidden": "true", text: done[c] ? "✓" : "○" }), ` ${label}`);
    item.setAttribute("aria-label", `${label}: ${t(done[c] ? "officer.check.yes" : "officer.check.no")}`);
  }
}

/** data-frames on each tile's video counts decoded frames, so a test can see video really arrives. */
function countFrames(video: HTMLVideoElement): void {
  if (!("requestVideoFrameCallback" in video)) return;
  let frames = 0;
  const step = () => {
    frames++;
    video.dataset.frames = String(frames);
    video.requestVideoFrameCallback(step);
  };
  video.requestVideoFrameCallback(step);
}
