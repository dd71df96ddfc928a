// The accident document: the party's details (name, ID number) while the officer works on it,
// then reading the PDF and signing it on the pad once it is issued (awaiting_signatures).
import { api, ApiError, blobUrl } from "../lib/api";
import { byTestId } from "../lib/dom";
import { setPlain, setText, t } from "../lib/i18n";
import { runAction } from "./actionStatus";
import { problemText } from "./form";
import { loadDecision, mine, openObjection, resetDecision } from "./decision";
import { caseStatus, isWaiting, state } from "./state";
import { onDelivered } from "../lib/outbox";
import { keepOffline } from "./offline";
import { showKept } from "./instructions";

let detailsSaved = false;

// The details card opens when the officer asks (the "details" instruction), not when the call
// starts: it would push the call's controls and the picture out of sight. Remembered for the tab,
// so a reload during the call shows it again.
const askedKey = "ar.driver.detailsAsked";

function detailsAsked(): boolean {
  try {
    return !!state.session && (askedCase === state.session.caseId || sessionStorage.getItem(askedKey) === state.session.caseId);
  } catch {
    return false;
  }
}

export function askForDetails(): void {
  try {
    if (state.session) sessionStorage.setItem(askedKey, state.session.caseId);
  } catch {
    // Storage off: the card shows until a reload.
  }
  askedCase = state.session?.caseId ?? null;
  renderDocumentCards();
  const card = byTestId("details-card");
  if (!card.hidden) byTestId<HTMLInputElement>("details-name").focus({ preventScroll: true });
}

let askedCase: string | null = null;
let signed = false;
/** This party disagreed with the version awaiting signatures (the server says so), unless it chose to sign after all. */
let objected = false;
let signAnyway = false;

export function renderDocumentCards(): void {
  const status = caseStatus();
  // The server sends "details" only while an officer handles the case: a page whose status is behind
  // (still "queued" though the call is on) shows the card all the same.
  byTestId("details-card").hidden = detailsSaved || !detailsAsked()
    || !(status === "in_call" || status === "vehicles_moved" || status === "liability_determined" || (state.inCall && isWaiting(status)));
  const awaiting = status === "awaiting_signatures";
  if (!awaiting) {
    // Reopened (liability revised) or over: a new version is signed, or objected to, afresh.
    signed = objected = signAnyway = false;
    resetDecision();
  }
  showSignCards();
  // The decision on the card, and whether this party already signed or objected (after a reload): from the server.
  if (awaiting) {
    void loadDecision(() => {
      const me = mine();
      signed = Boolean(me?.signedAt);
      objected = !signed && Boolean(me?.objection);
      showSignCards();
    });
  }
}

function showSignCards(): void {
  const awaiting = caseStatus() === "awaiting_signatures";
  const sign = byTestId("sign-card");
  const wasHidden = sign.hidden;
  sign.hidden = signed || (objected && !signAnyway) || !awaiting;
  byTestId("objection-recorded").hidden = !awaiting || !objected || signAnyway || signed;
  if (wasHidden && !sign.hidden) {
    byTestId("instruction").hidden = true;
    sign.scrollIntoView({ block: "start" });
  }
}

/** The objection is on record: the card says so and what happens next, in place of the signature pad. */
export function objectionRecorded(): void {
  objected = true;
  signAnyway = false;
  openObjection(false);
  showSignCards();
  const card = byTestId("objection-recorded");
  card.scrollIntoView({ block: "start" });
  card.focus();
}

/** After the officer explained, the party may sign the version it objected to (the objection stays on record). */
export function signAfterAll(): void {
  signAnyway = true;
  showSignCards();
}

export async function saveDetails(): Promise<void> {
  const session = state.session;
  if (!session) return;
  const name = byTestId<HTMLInputElement>("details-name");
  const id = byTestId<HTMLInputElement>("details-id");
  const nameErr = byTestId("details-name-error");
  const idErr = byTestId("details-id-error");
  nameErr.hidden = idErr.hidden = true;
  const path = `/api/cases/${session.caseId}/parties/me`;
  const details = { name: name.value.trim(), idNumber: id.value.trim().toUpperCase() };
  let kept = false;
  await runAction({
    status: "details-status",
    button: byTestId<HTMLButtonElement>("details-save"),
    sent: "details.saved",
    run: async () => {
      kept = false;
      try {
        await api("PUT", path, details);
      } catch (e) {
        // No network at all: kept on the phone and sent when it is back (lib/outbox.ts).
        if (e instanceof ApiError && e.offline && (await keepOffline("details", "PUT", path, details))) {
          kept = true;
          return;
        }
        throw e;
      }
    },
    handled: (e) => {
      if (!(e instanceof ApiError) || !(e.errors.name || e.errors.idNumber)) return false;
      if (e.errors.name) { setText(nameErr, "details.nameError"); nameErr.hidden = false; }
      if (e.errors.idNumber) { setText(idErr, "details.idError"); idErr.hidden = false; }
      return true;
    },
    done: () => {
      if (kept) {
        showKept("details-status");
        return;
      }
      detailsSaved = true;
      renderDocumentCards();
    },
    failure: (e) => (e instanceof ApiError && !e.offline && e.status < 500 ? problemText(e) : null),
  });
}

function detailsDelivered(error: ApiError | null): void {
  if (error) {
    setPlain(byTestId("details-status"), problemText(error));
    return;
  }
  detailsSaved = true;
  setText(byTestId("details-status"), "details.saved");
  renderDocumentCards();
}

onDelivered("details", detailsDelivered);

let inked = false;

export function setUpPad(): void {
  const pad = byTestId<HTMLCanvasElement>("sign-pad");
  const g = pad.getContext("2d");
  if (!g) return;
  g.lineWidth = 5;
  g.lineCap = g.lineJoin = "round";
  g.strokeStyle = "#000";
  let drawing = false;
  const at = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
  };
  pad.addEventListener("pointerdown", (e) => {
    drawing = true;
    pad.setPointerCapture(e.pointerId);
    g.beginPath();
    g.moveTo(...at(e));
  });
  pad.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    g.lineTo(...at(e));
    g.stroke();
    inked = true;
  });
  const stop = () => { drawing = false; };
  pad.addEventListener("pointerup", stop);
  pad.addEventListener("pointercancel", stop);
  byTestId("sign-clear").addEventListener("click", () => { g.clearRect(0, 0, pad.width, pad.height); inked = false; });
}

export async function viewDocument(): Promise<void> {
  if (!state.session) return;
  // Open the tab now, inside the tap, so pop-up blockers allow it; fill it when the PDF arrives.
  const tab = window.open("", "_blank");
  try {
    const url = await blobUrl(`/api/cases/${state.session.caseId}/document/pdf`);
    if (tab) tab.location.href = url;
    else location.href = url;
  } catch (e) {
    tab?.close();
    setPlain(byTestId("sign-status"), e instanceof ApiError ? problemText(e) : t("error.offline"));
  }
}

export async function submitSignature(): Promise<void> {
  if (!state.session) return;
  const status = byTestId("sign-status");
  if (!inked) {
    setText(status, "sign.empty");
    return;
  }
  const button = byTestId<HTMLButtonElement>("sign-submit");
  button.disabled = true;
  setText(status, "sign.sending");
  try {
    await api("POST", `/api/cases/${state.session.caseId}/signature`, { png: byTestId<HTMLCanvasElement>("sign-pad").toDataURL("image/png") });
    signed = true;
    byTestId("sign-card").hidden = true;
    setText(byTestId("instruction-status"), "sign.done");
    byTestId("instruction-text").textContent = "";
    byTestId("instruction").hidden = false;
    byTestId("instruction").dataset.kind = "signed";
    byTestId("moved-button").hidden = true;
    byTestId("photo-panel").hidden = true;
  } catch (e) {
    setPlain(status, e instanceof ApiError ? problemText(e) : t("error.offline"));
  } finally {
    button.disabled = false;
  }
}
