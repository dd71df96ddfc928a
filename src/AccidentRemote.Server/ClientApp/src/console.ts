// The officer's console: live queue, accept, one video tile and one RTCPeerConnection per party,
// evidence, instructions, liability and closing; the supervisor board is its second view.
// Keyboard: a key for every step (console/views.ts, listed by "?"); Alt+1 the desk, Alt+2 the board.
// This file wires the page; each section lives in console/ (state.ts holds what they share).
import { setToken } from "./lib/api";
import { initBoard, renderBoardTexts } from "./lib/board";
import { byTestId } from "./lib/dom";
import { applyI18n, onLangChange, toggleLang } from "./lib/i18n";
import { mountSignIn, restoreSession, signOut, wireSignIn } from "./lib/staff";
import { endCall } from "./console/call";
import { caseAction, closeCase, openCase, renderStatus } from "./console/case";
import { renderHelp, wireDialogs } from "./console/dialogs";
import { instruct } from "./console/evidence";
import { renderGallery, wireGallery } from "./console/gallery";
import { renderGates } from "./console/gates";
import { exitCase, renderExitReasons } from "./console/exits";
import { connectHub, setHubState, type HubState } from "./console/hubLink";
import { issueDocument, loadScenarios, renderScenarios, renderWeathers, saveLiability } from "./console/liability";
import { renderObjections } from "./console/objections";
import { acceptNext, loadQueue, renderQueue, tickQueue } from "./console/queue";
import { onCaseStatus, state, storageKey, type OfficerSession } from "./console/state";
import { renderTile } from "./console/tiles";
import { renderTimers } from "./console/timer";
import { keyHelp, onKey, setView } from "./console/views";

async function enterDesk(session: OfficerSession): Promise<void> {
  state.officer = session;
  setToken(session.token);
  byTestId("officer-name").textContent = session.officer.displayName;
  byTestId("sign-out").hidden = false;
  byTestId("views").hidden = false;
  setView("desk");
  await loadQueue();
  void loadScenarios();
  await connectHub();
  const open = sessionStorage.getItem(`${storageKey}.case`);
  if (open) await openCase(open);
}

async function boot(): Promise<void> {
  onCaseStatus(renderStatus);
  // The checklist (cars moved), the buttons the state allows, the timers.
  onCaseStatus(() => { state.tiles.forEach(renderTile); renderGates(); renderTimers(); });
  mountSignIn("console.signInTitle");
  applyI18n();
  byTestId("lang-switch").addEventListener("click", toggleLang);
  onLangChange(() => {
    renderQueue();
    renderStatus();
    state.tiles.forEach(renderTile);
    renderScenarios();
    renderWeathers();
    renderObjections();
    renderExitReasons();
    renderBoardTexts();
    renderGallery();
    renderTimers();
    renderHelp();
    renderGates();
    if (state.hub) setHubState(document.body.dataset.hub as HubState);
  });
  wireSignIn<OfficerSession>({
    storageKey,
    accept: async (r) => ({ token: r.token, officer: r.officer }),
    enter: enterDesk,
  });
  byTestId("sign-out").addEventListener("click", () => void signOut(storageKey));
  byTestId("accept-next").addEventListener("click", () => void acceptNext());
  byTestId("instruct-move").addEventListener("click", () => void instruct("move-cars", null));
  byTestId("instruct-details").addEventListener("click", () => void instruct("details", null));
  byTestId("vehicles-moved").addEventListener("click", () => void caseAction("POST", "vehicles-moved"));
  byTestId("save-liability").addEventListener("click", () => void saveLiability());
  byTestId("close-case").addEventListener("click", () => void closeCase());
  byTestId("issue-document").addEventListener("click", () => void issueDocument());
  renderWeathers();
  renderExitReasons();
  byTestId("escalate").addEventListener("click", () => void exitCase("escalate"));
  byTestId("abandon").addEventListener("click", () => void exitCase("abandon"));
  byTestId("views").addEventListener("click", (e) => {
    const view = (e.target as HTMLElement).closest<HTMLButtonElement>("button[data-view]")?.dataset.view;
    if (view === "desk" || view === "board") setView(view);
  });
  initBoard();
  byTestId("end-call").addEventListener("click", () => void endCall());
  wireDialogs(keyHelp);
  wireGallery();
  document.addEventListener("keydown", onKey);
  setInterval(() => { tickQueue(); renderTimers(); }, 1000);
  renderGates();

  await restoreSession<OfficerSession>(storageKey, enterDesk, () => { state.officer = null; });
}

void boot();
