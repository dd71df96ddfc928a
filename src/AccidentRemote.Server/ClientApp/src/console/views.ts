// The console's two views, the desk (queue and case) and the supervisor board (lib/board.ts):
// the header buttons, Alt+1 / Alt+2, and the desk's keys. Every step has a key (the table below is
// also the "?" overlay); a key presses the step's button, so a step its case state does not allow
// (a disabled button) is not sent, and the result line says why.
import { hideBoard, showBoard } from "../lib/board";
import { byTestId, showScreen } from "../lib/dom";
import { t } from "../lib/i18n";
import { anyDialogOpen, openHelp, type KeyHelp } from "./dialogs";
import { focusGallery } from "./gallery";
import { message } from "./log";
import { state } from "./state";
import { select } from "./tiles";

export function setView(view: "desk" | "board"): void {
  showScreen(view);
  byTestId("views").querySelectorAll<HTMLButtonElement>("button[data-view]").forEach((b) => {
    if (b.dataset.view === view) b.setAttribute("aria-current", "page");
    else b.removeAttribute("aria-current");
  });
  if (view === "board") showBoard();
  else hideBoard();
}

/** Presses a button of the page, or says why it cannot be pressed now. */
function press(testId: string, root: ParentNode = document): void {
  const b = root.querySelector<HTMLButtonElement>(`[data-testid="${testId}"]`);
  if (!b) return;
  if (b.disabled) message(b.title || t("officer.notAvailable"));
  else b.click();
}

function picked(part: string): void {
  const tile = state.tiles[state.selected];
  if (tile) press(`tile-${tile.partyNumber}-${part}`, tile.root);
}

/** The desk's keys: what is printed in the overlay, the key(s) it reacts to, and what it does. */
const deskKeys: Array<KeyHelp & { match: (k: string) => boolean; run: (k: string) => void }> = [
  { keys: "A", does: "officer.keys.accept", match: (k) => k === "a", run: () => press("accept-next") },
  { keys: "1–5", does: "officer.keys.pick", match: (k) => /^[1-5]$/.test(k), run: (k) => select(Number(k) - 1) },
  { keys: "N", does: "officer.keys.next", match: (k) => k === "n", run: () => select(state.tiles.length ? (state.selected + 1) % state.tiles.length : 0) },
  { keys: "M", does: "officer.keys.move", match: (k) => k === "m", run: () => press("instruct-move") },
  { keys: "P", does: "officer.keys.photo", match: (k) => k === "p", run: () => picked("photo") },
  { keys: "S", does: "officer.keys.screenshot", match: (k) => k === "s", run: () => picked("screenshot") },
  { keys: "R", does: "officer.keys.details", match: (k) => k === "r", run: () => press("instruct-details") },
  { keys: "T", does: "officer.keys.phrase", match: (k) => k === "t", run: () => focusPhrase() },
  { keys: "G", does: "officer.keys.gallery", match: (k) => k === "g", run: () => focusGallery() },
  { keys: "V", does: "officer.keys.moved", match: (k) => k === "v", run: () => press("vehicles-moved") },
  { keys: "L", does: "officer.keys.liability", match: (k) => k === "l", run: () => press("save-liability") },
  { keys: "D", does: "officer.keys.document", match: (k) => k === "d", run: () => press("issue-document") },
  { keys: "C", does: "officer.keys.close", match: (k) => k === "c", run: () => press("close-case") },
  { keys: "E", does: "officer.keys.endCall", match: (k) => k === "e", run: () => press("end-call") },
  { keys: "?", does: "officer.keys.help", match: (k) => k === "?", run: () => openHelp() },
];

/** Everything the overlay lists: the desk's keys, then the keys that work everywhere or in a dialog. */
export const keyHelp: KeyHelp[] = [
  ...deskKeys,
  { keys: "Alt+1 / Alt+2", does: "officer.keys.views" },
  { keys: "Enter", does: "officer.keys.enter" },
  { keys: "← →", does: "officer.keys.arrows" },
  { keys: "Y / N", does: "officer.keys.confirm" },
  { keys: "Esc", does: "officer.keys.escape" },
];

function focusPhrase(): void {
  const tile = state.tiles[state.selected];
  const list = tile?.root.querySelector<HTMLSelectElement>(`[data-testid="tile-${tile.partyNumber}-phrase"]`);
  if (list && !list.disabled) list.focus();
  else if (tile) press(`tile-${tile.partyNumber}-phrase-send`, tile.root);
}

export function onKey(e: KeyboardEvent): void {
  if (e.altKey && !e.ctrlKey && !e.metaKey && (e.key === "1" || e.key === "2") && state.officer) {
    setView(e.key === "1" ? "desk" : "board");
    e.preventDefault();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey || document.body.dataset.screen !== "desk" || anyDialogOpen()) return;
  const target = e.target as HTMLElement;
  if (target.closest("input, select, textarea")) return;
  const k = e.key.toLowerCase();
  const key = deskKeys.find((x) => x.match(k));
  if (!key) return;
  key.run(k);
  e.preventDefault();
}
