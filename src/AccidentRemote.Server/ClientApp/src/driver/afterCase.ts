// After the case: the signed document to download, the rating, and the insurer's claim report
// number (pushed, or asked for after a reload).
import { api, ApiError, download } from "../lib/api";
import type { CaseDocumentView, CaseView, ClaimAcknowledged, Insurer, PartyClaim } from "../lib/contract";
import { byTestId } from "../lib/dom";
import { lang, setPlain, setText, t } from "../lib/i18n";
import { endedClosed } from "./call";
import { copy } from "./caseLink";
import { problemText } from "./form";
import { saveSession, state } from "./state";

let rating = 0;

export function renderAfterCase(): void {
  const closed = endedClosed() && state.session !== null;
  byTestId("rating-card").hidden = !closed || state.session?.rated === true;
  byTestId("rating-thanks").hidden = !closed || state.session?.rated !== true;
  if (closed) { void checkDocument(); void checkClaim(); void checkMyCase(); }
  else { byTestId("document-card").hidden = true; byTestId("my-case").hidden = true; }
}

/**
 * My case, after it closed: the steps it went through (reported, on video, moved, signed, closed, claim delivered),
 * and where the signed document went (to this party's insurer, with its claim).
 */
async function checkMyCase(): Promise<void> {
  if (!state.session) return;
  const s = state.session;
  try {
    const [view, doc, claims] = await Promise.all([
      api<CaseView>("GET", `/api/cases/${s.caseId}`),
      api<CaseDocumentView>("GET", `/api/cases/${s.caseId}/document`).catch(() => null),
      api<PartyClaim[]>("GET", `/api/cases/${s.caseId}/claims`).catch(() => [] as PartyClaim[]),
    ]);
    if (state.session?.caseId !== s.caseId) return;
    const claim = claims[0] ?? null;
    const done: Record<string, boolean> = {
      reported: true,
      onVideo: Boolean(view.times?.answeredAt),
      moved: Boolean(view.times?.vehiclesMovedAt),
      signed: doc?.status === "signed",
      closed: view.status === "closed",
      claimDelivered: claim !== null && (claim.status === "sent" || claim.claimReportNumber !== null),
    };
    byTestId("my-case-number").textContent = view.caseNumber;
    byTestId("my-case-progress").querySelectorAll<HTMLElement>("li[data-step]").forEach((li) => {
      li.dataset.done = String(done[li.dataset.step ?? ""] === true);
    });
    byTestId("my-case").hidden = false;
    documentWent = claim && doc?.status === "signed" ? { insurerCode: claim.insurerCode, sent: done.claimDelivered } : null;
    await renderDocumentWent();
  } catch {
    // Offline: the cards that loaded stay; the next look fills the rest.
  }
}

let documentWent: { insurerCode: string; sent: boolean } | null = null;

async function renderDocumentWent(): Promise<void> {
  const line = byTestId("document-sent");
  line.hidden = documentWent === null;
  if (!documentWent) return;
  if (!state.insurers) {
    try { state.insurers = await api<Insurer[]>("GET", "/api/insurers"); } catch { state.insurers = []; }
  }
  const insurer = state.insurers.find((i) => i.code === documentWent?.insurerCode);
  setText(line, documentWent.sent ? "mycase.documentSent" : "mycase.documentSending",
    { insurer: insurer ? (lang === "en" ? insurer.nameEn : insurer.nameZh) : documentWent.insurerCode });
}

export async function copyClaimNumber(): Promise<void> {
  const number = byTestId("claim-number");
  await copy(number.textContent ?? "", byTestId("claim-copy"), "mycase.copied", number);
}

/** Offers the signed document for download once every party signed (status `signed`). */
async function checkDocument(): Promise<void> {
  if (!state.session) return;
  let doc: CaseDocumentView | null = null;
  try {
    doc = await api<CaseDocumentView>("GET", `/api/cases/${state.session.caseId}/document`);
  } catch {
    doc = null; // no document (e.g. closed without one) or offline
  }
  byTestId("document-card").hidden = doc?.status !== "signed";
}

export async function downloadDocument(): Promise<void> {
  if (!state.session) return;
  const status = byTestId("document-status");
  const button = byTestId<HTMLButtonElement>("document-download");
  button.disabled = true;
  setText(status, "common.sending");
  try {
    await download(`/api/cases/${state.session.caseId}/document/pdf`, `accident-document-${state.session.caseNumber}.pdf`);
    setText(status, "ended.downloaded");
  } catch (e) {
    setPlain(status, e instanceof ApiError ? problemText(e) : t("error.offline"));
  } finally {
    button.disabled = false;
  }
}

export function stars(): HTMLButtonElement[] {
  return [...byTestId("rating-stars").querySelectorAll<HTMLButtonElement>("button[data-value]")];
}

/** Stars are a radio group: one tab stop (the chosen star, else the first), arrows move the choice. */
export function setRating(n: number, focus = false): void {
  rating = Math.min(5, Math.max(1, n));
  for (const star of stars()) {
    const v = Number(star.dataset.value);
    star.classList.toggle("on", v <= rating);
    star.setAttribute("aria-checked", String(v === rating));
    star.tabIndex = v === rating ? 0 : -1;
    if (focus && v === rating) star.focus();
  }
  byTestId<HTMLButtonElement>("rating-submit").disabled = false;
  byTestId("rating-card").dataset.rating = String(rating);
}

export function onStarKey(e: KeyboardEvent): void {
  const step = e.key === "ArrowRight" || e.key === "ArrowUp" ? 1 : e.key === "ArrowLeft" || e.key === "ArrowDown" ? -1 : 0;
  if (e.key === "Home" || e.key === "End") setRating(e.key === "Home" ? 1 : 5, true);
  else if (step) setRating((rating || (step > 0 ? 0 : 6)) + step, true);
  else return;
  e.preventDefault();
}

export async function submitRating(ev: Event): Promise<void> {
  ev.preventDefault();
  if (!state.session || !rating) return;
  const error = byTestId("rating-error");
  const button = byTestId<HTMLButtonElement>("rating-submit");
  error.hidden = true;
  button.disabled = true;
  try {
    const comment = byTestId<HTMLTextAreaElement>("rating-comment").value.trim() || null;
    await api("POST", `/api/cases/${state.session.caseId}/satisfaction`, { rating, comment });
    rated();
  } catch (e) {
    // 409: this party rated already (another tab, or before a reload): thank them all the same.
    if (e instanceof ApiError && e.status === 409) rated();
    else {
      error.textContent = e instanceof ApiError && e.errors.comment && lang !== "en" ? t("rating.commentTooLong")
        : e instanceof ApiError ? problemText(e) : t("error.offline");
      error.hidden = false;
      button.disabled = false;
    }
  }
}

export function resetRating(): void {
  rating = 0;
  stars().forEach((star, i) => {
    star.classList.remove("on");
    star.setAttribute("aria-checked", "false");
    star.tabIndex = i === 0 ? 0 : -1;
  });
  byTestId<HTMLTextAreaElement>("rating-comment").value = "";
  byTestId<HTMLButtonElement>("rating-submit").disabled = true;
  delete byTestId("rating-card").dataset.rating;
}

export function rated(): void {
  if (!state.session) return;
  state.session.rated = true;
  saveSession(state.session);
  renderAfterCase();
  byTestId("rating-thanks").focus();
}

let claimShown: ClaimAcknowledged | null = null;

/**
 * The push (ClaimAcknowledged) reaches only a page that is connected when the insurer answers: a page
 * reloaded, reopened or offline at that moment asks the server for its claim instead.
 */
export async function checkClaim(): Promise<void> {
  if (!state.session || claimShown) return;
  const caseId = state.session.caseId;
  try {
    const mine = (await api<PartyClaim[]>("GET", `/api/cases/${caseId}/claims`)).find((c) => c.claimReportNumber);
    if (mine?.claimReportNumber && state.session?.caseId === caseId && !claimShown) {
      await showClaim({ caseId, insurerCode: mine.insurerCode, claimReportNumber: mine.claimReportNumber });
    }
  } catch {
    // Offline: the push, or the next look after a reconnect, brings it.
  }
}

/** The insurer's claim report number (报案号), pushed when the insurer acknowledged the claim. */
export async function showClaim(c: ClaimAcknowledged): Promise<void> {
  claimShown = c;
  if (!state.insurers) {
    try { state.insurers = await api<Insurer[]>("GET", "/api/insurers"); } catch { state.insurers = []; }
  }
  if (claimShown !== c) return;
  const insurer = state.insurers.find((i) => i.code === c.insurerCode);
  setText(byTestId("claim-insurer"), "claim.registered", { insurer: insurer ? (lang === "en" ? insurer.nameEn : insurer.nameZh) : c.insurerCode });
  byTestId("claim-number").textContent = c.claimReportNumber;
  // The insurer's hotline: what the driver still needs after the case, when the link no longer opens the call.
  const hotline = byTestId<HTMLAnchorElement>("claim-hotline");
  hotline.textContent = insurer?.hotline ?? "";
  hotline.href = insurer?.hotline ? `tel:${insurer.hotline.replace(/[^0-9+]/g, "")}` : "#";
  byTestId("claim-hotline-line").hidden = !insurer?.hotline;
  byTestId("claim").hidden = false;
  // The last step of my case's progress: the claim reached the insurer.
  if (endedClosed()) void checkMyCase();
}

export function renderClaim(): void {
  if (claimShown) void showClaim(claimShown);
  void renderDocumentWent();
}

/** Starting over: the claim card belongs to the old case. */
export function resetClaim(): void {
  claimShown = null;
  documentWent = null;
  byTestId("claim").hidden = true;
  byTestId("my-case").hidden = true;
  byTestId("document-sent").hidden = true;
}
