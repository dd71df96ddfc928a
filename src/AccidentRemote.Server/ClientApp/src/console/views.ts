// The console's two views, the desk (queue and case) and the supervisor board (lib/board.ts):
// the header buttons, Alt+1 / Alt+2, and the desk's keys (A accept next, 1-5 pick a tile,
// S screenshot of the picked tile, M tell everyone to move the cars).
import { hideBoard, showBoard } from "../lib/board";
import { byTestId, showScreen } from "../lib/dom";
import { instruct, screenshot } from "./evidence";
import { acceptNext } from "./queue";
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

export function onKey(e: KeyboardEvent): void {
  if (e.altKey && !e.ctrlKey && !e.metaKey && (e.key === "1" || e.key === "2") && state.officer) {
    setView(e.key === "1" ? "desk" : "board");
    e.preventDefault();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey || document.body.dataset.screen !== "desk") return;
  const target = e.target as HTMLElement;
  if (target.closest("input, select, textarea")) return;
  const k = e.key.toLowerCase();
  const picked = state.tiles[state.selected];
  if (k === "a") void acceptNext();
  else if (k === "s" && picked) void screenshot(picked);
  else if (k === "m") void instruct("move-cars", null);
  else if (/^[1-5]$/.test(k)) select(Number(k) - 1);
  else return;
  e.preventDefault();
}
