// Canned phrases to one party ("turn on the hazard lights…"): the officer picks one on the party's tile
// (key T focuses the picked party's list, Enter sends) and only its key goes to the server
// (POST /api/cases/{id}/phrases); the party's page shows it in the party's own language.
import { api } from "../lib/api";
import { PhraseKeys } from "../lib/contract";
import { el } from "../lib/dom";
import { t, type Key } from "../lib/i18n";
import { problem } from "../lib/staff";
import { logEvent, message } from "./log";
import { state, type Tile } from "./state";

/** The list of phrases on a tile, in the officer's language (redrawn when it changes). */
export function phraseSelect(n: number): HTMLSelectElement {
  const select = el("select", { "data-testid": `tile-${n}-phrase`, "data-i18n-aria": "officer.phrase.choose", "aria-label": t("officer.phrase.choose") });
  fillPhrases(select);
  return select;
}

export function fillPhrases(select: HTMLSelectElement): void {
  const value = select.value;
  select.replaceChildren(...PhraseKeys.map((k) => el("option", { value: k, text: t(`phrase.${k}` as Key) })));
  if (value) select.value = value;
}

/** Sends the phrase to the tile's party; false when refused (the message line says why). */
export async function sendPhrase(tile: Tile, key: string): Promise<boolean> {
  if (!state.current) return false;
  try {
    await api("POST", `/api/cases/${state.current.id}/phrases`, { partyId: tile.partyId, key });
    const text = t(`phrase.${key}` as Key);
    message(t("officer.phrase.sent", { n: tile.partyNumber, text }));
    logEvent("PhraseSent", t("officer.phrase.sent", { n: tile.partyNumber, text }));
    return true;
  } catch (e) {
    message(problem(e));
    return false;
  }
}
