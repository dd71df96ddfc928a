// The officer's canned phrases ("please turn on your hazard lights…"): the hub's Phrase event carries only
// a key, and this page words it in the driver's language (i18n phrase.<key>), shown on a card like an
// instruction and redrawn when the language changes. Self-contained: driver.ts calls wirePhrases() once.
import type { PhraseMessage } from "../lib/contract";
import { byTestId, el } from "../lib/dom";
import { has, onLangChange, t, type Key } from "../lib/i18n";
import { onHubEvent } from "../lib/hub";
import { state } from "./state";

let shown: string | null = null;

function card(): HTMLElement {
  let box = document.querySelector<HTMLElement>("[data-testid=phrase-card]");
  if (!box) {
    box = el("div", { class: "card instruction phrase-card", "data-testid": "phrase-card", role: "status", "aria-live": "assertive", hidden: "" },
      el("p", { class: "phrase-from", "data-testid": "phrase-from" }),
      el("p", { class: "instruction-text", "data-testid": "phrase-text" }));
    byTestId("instruction").before(box);
  }
  return box;
}

function render(): void {
  if (!shown) return;
  const box = card();
  byTestId("phrase-from", box).textContent = t("phrase.fromOfficer");
  const text = byTestId("phrase-text", box);
  text.dataset.key = shown;
  text.textContent = has(`phrase.${shown}`) ? t(`phrase.${shown}` as Key) : "";
}

function onPhrase(m: PhraseMessage): void {
  if (m.caseId !== state.session?.caseId || m.partyId !== state.session.partyId) return;
  shown = m.key;
  render();
  const box = card();
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" });
  navigator.vibrate?.(200);
}

export function wirePhrases(): void {
  onHubEvent<PhraseMessage>("Phrase", onPhrase);
  onLangChange(render);
}
