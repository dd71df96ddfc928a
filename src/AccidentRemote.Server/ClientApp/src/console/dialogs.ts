// The console's dialogs: a confirmation before a step that cannot be undone (close the case, end the call)
// and the "?" overlay that lists every key. Both are <dialog>s opened with showModal: focus stays inside,
// Esc closes them, and the focus goes back where it was.
import { byTestId, el } from "../lib/dom";
import { t, type Key } from "../lib/i18n";

let answer: ((ok: boolean) => void) | null = null;

/** Asks before a step; resolves true on "confirm" (button, or key Y), false on cancel, N or Esc. Cancel has the focus. */
export function confirmStep(title: Key, text: Key, ok: Key, vars?: Record<string, string | number>): Promise<boolean> {
  const dialog = byTestId<HTMLDialogElement>("confirm-dialog");
  answer?.(false);
  byTestId("confirm-title").textContent = t(title, vars);
  byTestId("confirm-text").textContent = t(text, vars);
  byTestId("confirm-ok").textContent = t(ok, vars);
  dialog.showModal();
  byTestId("confirm-cancel").focus();
  return new Promise((resolve) => { answer = resolve; });
}

function settle(ok: boolean): void {
  const done = answer;
  answer = null;
  const dialog = byTestId<HTMLDialogElement>("confirm-dialog");
  if (dialog.open) dialog.close();
  done?.(ok);
}

/** One row of the key overlay: the key as printed and what it does. */
export interface KeyHelp { keys: string; does: Key }

let help: KeyHelp[] = [];

export function renderHelp(): void {
  byTestId("shortcut-rows").replaceChildren(...help.map((h) =>
    el("tr", { "data-testid": "shortcut-row" }, el("td", {}, el("kbd", { text: h.keys })), el("td", { text: t(h.does) }))));
}

export function openHelp(): void {
  const dialog = byTestId<HTMLDialogElement>("shortcut-help");
  renderHelp();
  if (!dialog.open) dialog.showModal();
  byTestId("shortcut-help-close").focus();
}

export function anyDialogOpen(): boolean {
  return document.querySelector("dialog[open]") !== null;
}

export function wireDialogs(keys: KeyHelp[]): void {
  help = keys;
  const dialog = byTestId<HTMLDialogElement>("confirm-dialog");
  byTestId("confirm-ok").addEventListener("click", () => settle(true));
  byTestId("confirm-cancel").addEventListener("click", () => settle(false));
  // Esc (the dialog's cancel event) and any other close count as "no".
  // The close event comes as a task of its own: when a new question has opened the dialog again in between
  // (N, then E at once), this close is the old one's and must not answer (or close) the new question.
  dialog.addEventListener("close", () => { if (!dialog.open) settle(false); });
  dialog.addEventListener("keydown", (e) => {
    const k = e.key.toLowerCase();
    // The answer is only the dialog's: without stopPropagation the closed dialog would let the page's own keys
    // see the same keydown (N is also "next party").
    if (k === "y") { settle(true); e.preventDefault(); e.stopPropagation(); }
    else if (k === "n") { settle(false); e.preventDefault(); e.stopPropagation(); }
  });
  const overlay = byTestId<HTMLDialogElement>("shortcut-help");
  byTestId("shortcut-help-close").addEventListener("click", () => overlay.close());
  byTestId("shortcut-help-open").addEventListener("click", openHelp);
}
