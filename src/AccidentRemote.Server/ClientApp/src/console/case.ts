// The open case: opening it (after accept, or again after a reload), its status line, the fraud
// signals beside it, the case actions, and leaving it (closed, escalated or abandoned).
import { api } from "../lib/api";
import type { CaseView, FraudSignal } from "../lib/contract";
import { fraudParts } from "../lib/fraud";
import { byTestId, el } from "../lib/dom";
import { has, lang, t, type Key } from "../lib/i18n";
import { problem } from "../lib/staff";
import { hangUpAll, startLocalMedia, watch } from "./call";
import { confirmStep } from "./dialogs";
import { clearDuplicates, loadDuplicates } from "./duplicates";
import { clearGallery, loadGallery, renderGallery } from "./gallery";
import { clearTimes, setTimes, syncClock } from "./timer";
import { logEvent, message } from "./log";
import { clearObjections, loadObjections } from "./objections";
import { renderQueue } from "./queue";
import { setCaseStatus, state, storageKey } from "./state";
import { findTile, renderConsent, renderInsurance, renderTile, upsertTile } from "./tiles";

export async function openCase(caseId: string): Promise<void> {
  let view: CaseView;
  try {
    view = await api<CaseView>("GET", `/api/cases/${caseId}`);
  } catch (e) {
    message(problem(e));
    return;
  }
  state.current = { id: view.id, caseNumber: view.caseNumber, status: view.status };
  sessionStorage.setItem(`${storageKey}.case`, caseId);
  byTestId("no-case").hidden = true;
  byTestId("case-detail").hidden = false;
  byTestId("case-number").textContent = view.caseNumber;
  setCaseStatus(view.status);
  void syncClock().then(() => setTimes(view.times));
  const when = new Date(view.accidentTime).toLocaleString(lang, { hour12: false });
  byTestId("case-summary").replaceChildren(...(view.location.address ? [el("bdi", { text: view.location.address }), " · "] : []), when);
  message("");
  renderQueue();
  await startLocalMedia();
  for (const p of view.parties) {
    const tile = upsertTile(p.id, p.partyNumber, p.plate, false, p.liability);
    renderInsurance(tile, p.compulsoryInsurance, p.compulsoryConflict);
    renderConsent(tile, p.consent);
    tile.details = !!p.name;
    renderTile(tile);
  }
  renderGallery();
  void loadGallery(view.id);
  void loadSignatures();
  void loadFraudSignals(view.id);
  void loadDuplicates(view.id);
  void loadObjections(view.id);
  await watch();
}

export function renderStatus(): void {
  const current = state.current;
  if (!current) return;
  const s = byTestId("case-status");
  s.textContent = has(`console.status.${current.status}`) ? t(`console.status.${current.status}` as Key) : current.status;
  s.dataset.status = current.status;
}

async function loadFraudSignals(caseId: string): Promise<void> {
  const box = byTestId("fraud-signals");
  let signals: FraudSignal[] = [];
  try {
    signals = await api<FraudSignal[]>("GET", `/api/cases/${caseId}/fraud-signals`);
  } catch {
    signals = []; // not offered by this server, or offline: nothing to flag
  }
  if (state.current?.id !== caseId) return;
  box.hidden = signals.length === 0;
  // Name and facts in the page's language; both follow the language switch (data-i18n).
  byTestId("fraud-list").replaceChildren(...signals.map((f) => el("li", { "data-testid": "fraud-signal", "data-code": f.code }, ...fraudParts(f))));
}

/** A step on the open case (`/api/cases/{id}/{path}`); its answer's status becomes the case's. Null when refused (the message says why). */
export async function caseAction(method: string, path: string, body?: unknown): Promise<CaseView | null> {
  if (!state.current) return null;
  try {
    const v = await api<CaseView>(method, `/api/cases/${state.current.id}/${path}`, body);
    setCaseStatus(v.status);
    setTimes(v.times);
    return v;
  } catch (e) {
    message(problem(e));
    return null;
  }
}

/** Who has signed the current document (GET /api/cases/{id}/document, no personal data): the checklist's last step. */
export async function loadSignatures(): Promise<void> {
  const current = state.current;
  if (!current || !["awaiting_signatures", "closed"].includes(current.status)) {
    for (const tile of state.tiles) { tile.signed = false; renderTile(tile); }
    return;
  }
  let doc: { signatures?: Array<{ partyId: string; signedAt: string | null }> };
  try {
    doc = await api("GET", `/api/cases/${current.id}/document`);
  } catch {
    return;
  }
  if (state.current?.id !== current.id) return;
  for (const s of doc.signatures ?? []) {
    const tile = findTile(s.partyId);
    if (tile) { tile.signed = s.signedAt !== null; renderTile(tile); }
  }
}

export async function closeCase(): Promise<void> {
  if (!(await confirmStep("officer.confirm.closeTitle", "officer.confirm.closeText", "console.closeCase", { number: state.current?.caseNumber ?? "" }))) return;
  if (!(await caseAction("POST", "close"))) return;
  leaveCase("CaseClosed", "console.event.closed");
}

/** After close, escalation or abandonment the case is no longer ours: hang up and clear the panel. */
export function leaveCase(event: string, key: Key): void {
  // The parties learn of the change from CaseChanged and end their side; an end-call
  // instruction would be refused once the case is closed.
  hangUpAll();
  const number = state.current?.caseNumber ?? "";
  state.current = null;
  state.tiles = [];
  sessionStorage.removeItem(`${storageKey}.case`);
  byTestId("tiles").replaceChildren();
  byTestId("fraud-signals").hidden = true;
  byTestId("fraud-list").replaceChildren();
  clearDuplicates();
  clearObjections();
  clearGallery();
  clearTimes();
  byTestId<HTMLDetailsElement>("exits").open = false;
  byTestId("case-detail").hidden = true;
  byTestId("no-case").hidden = false;
  logEvent(event, () => t(key, { number }));
  renderQueue();
}
