// The accident document: the party's details (name, ID number) while the officer works on it,
// then reading the PDF and signing it on the pad once it is issued (awaiting_signatures).
import { api, ApiError, blobUrl } from "../lib/api";
import { byTestId } from "../lib/dom";
import { setPlain, setText, t } from "../lib/i18n";
import { onDelivered } from "../lib/outbox";
import { problemText } from "./form";
import { keepOffline } from "./offline";
import { caseStatus, state } from "./state";

let detailsSaved = false;
let signed = false;

export function renderDocumentCards(): void {
  const status = caseStatus();
  byTestId("details-card").hidden = detailsSaved || !(status === "in_call" || status === "vehicles_moved" || status === "liability_determined");
  const sign = byTestId("sign-card");
  const wasHidden = sign.hidden;
  sign.hidden = signed || status !== "awaiting_signatures";
  if (wasHidden && !sign.hidden) {
    byTestId("instruction").hidden = true;
    sign.scrollIntoView({ block: "start" });
  }
}

export async function saveDetails(): Promise<void> {
  if (!state.session) return;
  const name = byTestId<HTMLInputElement>("details-name");
  const id = byTestId<HTMLInputElement>("details-id");
  const nameErr = byTestId("details-name-error");
  const idErr = byTestId("details-id-error");
  nameErr.hidden = idErr.hidden = true;
  const path = `/api/cases/${state.session.caseId}/parties/me`;
  const details = { name: name.value.trim(), idNumber: id.value.trim().toUpperCase() };
  try {
    await api("PUT", path, details);
    detailsDelivered(null);
  } catch (e) {
    if (e instanceof ApiError && e.offline && (await keepOffline("details", "PUT", path, details))) {
      setText(byTestId("details-status"), "outbox.kept");
    } else if (e instanceof ApiError && (e.errors.name || e.errors.idNumber)) {
      if (e.errors.name) { setText(nameErr, "details.nameError"); nameErr.hidden = false; }
      if (e.errors.idNumber) { setText(idErr, "details.idError"); idErr.hidden = false; }
    } else {
      setPlain(byTestId("details-status"), e instanceof ApiError ? problemText(e) : t("error.offline"));
    }
  }
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
