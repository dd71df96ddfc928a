// Which of the open case's buttons work in its state (the server's state machine, Cases/CaseStateMachine.cs):
// the others are disabled, with the reason in their title, so neither a click nor a key sends a step the
// server would refuse.
import type { CaseStatus } from "../lib/contract";
import { byTestId } from "../lib/dom";
import { has, t, type Key } from "../lib/i18n";
import { state } from "./state";

const inHand: CaseStatus[] = ["in_call", "vehicles_moved", "liability_determined", "awaiting_signatures"];

/** Button (data-testid) → the states it works in. */
const caseButtons: Record<string, CaseStatus[]> = {
  "instruct-move": ["in_call"],
  "vehicles-moved": ["in_call"],
  "save-liability": ["vehicles_moved", "liability_determined", "awaiting_signatures"],
  "document-weather": ["liability_determined", "awaiting_signatures"],
  "issue-document": ["liability_determined", "awaiting_signatures"],
  "close-case": ["awaiting_signatures"],
  "end-call": inHand,
  escalate: inHand,
  abandon: ["in_call"],
};

/** Buttons on each tile: they talk to the party, so only while the case is in hand. */
const tileButtons = ["screenshot", "photo", "audio-only", "phrase", "phrase-send"];

export function allowed(id: string): boolean {
  const status = state.current?.status;
  return !!status && (caseButtons[id] ?? inHand).includes(status);
}

function gate(b: HTMLButtonElement | HTMLSelectElement, ok: boolean): void {
  b.disabled = !ok;
  const status = state.current?.status ?? "";
  const name = has(`console.status.${status}`) ? t(`console.status.${status}` as Key) : status;
  if (ok) b.removeAttribute("title");
  else b.title = t("officer.notNow", { status: name });
}

export function renderGates(): void {
  for (const id of Object.keys(caseButtons)) gate(byTestId<HTMLButtonElement>(id), allowed(id));
  const ok = state.current !== null && inHand.includes(state.current.status);
  for (const tile of state.tiles) {
    for (const part of tileButtons) {
      const b = tile.root.querySelector<HTMLButtonElement>(`[data-testid="tile-${tile.partyNumber}-${part}"]`);
      if (b) gate(b, ok);
    }
  }
  const accept = byTestId<HTMLButtonElement>("accept-next");
  accept.disabled = state.current !== null || state.queue.length === 0;
}
