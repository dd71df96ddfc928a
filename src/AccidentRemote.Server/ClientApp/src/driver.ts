// The driver's page: report or join a case, wait in the queue, answer the officer's video call,
// follow instructions (move the cars, take photos), sign, rate. Mobile first, for weak networks.
// This file wires the page; each section lives in driver/ (state.ts holds what they share).
import { byTestId } from "./lib/dom";
import { applyI18n, onLangChange, toggleLang } from "./lib/i18n";
import { startShell } from "./lib/shell";
import { downloadDocument, onStarKey, renderClaim, resetRating, setRating, submitRating } from "./driver/afterCase";
import { renderEnded } from "./driver/call";
import { goStart, renderCallState } from "./driver/callState";
import { followStatus, renderQueue, renderShare, renderStatusText, share } from "./driver/case";
import { agreeToNotice } from "./driver/consent";
import { confirmInsurer, form, locate, openForm, renderFormTexts, renderInsurerCard, submitForm } from "./driver/form";
import { onOnline } from "./driver/hubLink";
import { confirmMoved, renderInstruction, uploadPhoto } from "./driver/instructions";
import { answerQuestion, renderIntakeNotice, renderJoined, renderQuestion, renewJoin, setLinkSecret } from "./driver/joining";
import { resume, startOver } from "./driver/lifecycle";
import { acquireMedia, finishDecision, isAudioOnly, renderControls, setAudioOnly, switchCamera, toggleMute } from "./driver/media";
import { renderDocumentCards, saveDetails, setUpPad, submitSignature, viewDocument } from "./driver/signing";
import { caseStatus, loadSession, onStatus, setStatus, state } from "./driver/state";

function boot(): void {
  // Each status the page learns runs these, in this order: the status line, the document cards,
  // the screen the status leads to, then the call state (which reads what the others set).
  onStatus(renderStatusText);
  onStatus(renderDocumentCards);
  onStatus(followStatus);
  onStatus(renderCallState);
  applyI18n();
  byTestId("lang-switch").addEventListener("click", toggleLang);
  window.addEventListener("online", onOnline);
  onLangChange(() => {
    renderFormTexts();
    renderCallState();
    renderControls();
    renderInsurerCard();
    if (state.session) {
      renderStatusText();
      renderEnded();
      renderInstruction();
      renderShare();
      renderIntakeNotice();
      renderJoined();
      renderQuestion();
      renderQueue();
      renderClaim();
    }
  });
  byTestId("start-report").addEventListener("click", () => void openForm("report"));
  byTestId("start-join").addEventListener("click", () => void openForm("join"));
  byTestId("form-back").addEventListener("click", goStart);
  byTestId("insurer-confirm").addEventListener("click", () => void confirmInsurer());
  byTestId("consent-agree").addEventListener("click", agreeToNotice);
  byTestId("consent-back").addEventListener("click", goStart);
  byTestId("document-download").addEventListener("click", () => void downloadDocument());
  byTestId("rating-stars").addEventListener("click", (e) => {
    const star = (e.target as HTMLElement).closest<HTMLButtonElement>("button[data-value]");
    if (star) setRating(Number(star.dataset.value));
  });
  byTestId("rating-stars").addEventListener("keydown", onStarKey);
  resetRating();
  byTestId("rating-card").addEventListener("submit", (e) => void submitRating(e));
  form().addEventListener("submit", (e) => void submitForm(e));
  byTestId("locate").addEventListener("click", locate);
  form().addEventListener("change", (e) => {
    const target = e.target as HTMLInputElement;
    if (target.name === "anyoneInjured") byTestId("injured-warning").hidden = target.value !== "true";
  });
  byTestId("escalated-done").addEventListener("click", startOver);
  byTestId("share-button").addEventListener("click", () => void share());
  byTestId("media-consent").addEventListener("click", () => void acquireMedia());
  byTestId("call-media-consent").addEventListener("click", () => void acquireMedia());
  byTestId("media-skip").addEventListener("click", finishDecision);
  byTestId("mute").addEventListener("click", toggleMute);
  byTestId("switch-camera").addEventListener("click", () => void switchCamera());
  byTestId("audio-only").addEventListener("click", () => void setAudioOnly(!isAudioOnly()));
  byTestId("moved-button").addEventListener("click", () => void confirmMoved());
  byTestId("photo-input").addEventListener("change", (e) => void uploadPhoto(e.target as HTMLInputElement));
  byTestId("ended-back").addEventListener("click", () => {
    state.ended = false;
    const status = caseStatus();
    if (state.session && status) setStatus(status);
  });
  byTestId("start-over").addEventListener("click", startOver);
  byTestId("details-save").addEventListener("click", () => void saveDetails());
  byTestId("sign-view").addEventListener("click", () => void viewDocument());
  byTestId("sign-submit").addEventListener("click", () => void submitSignature());
  setUpPad();

  byTestId("duplicate-yes").addEventListener("click", () => void answerQuestion(true));
  byTestId("duplicate-no").addEventListener("click", () => void answerQuestion(false));
  byTestId("join-renew").addEventListener("click", () => void renewJoin());
  const joinMatch = /^\/join\/(\d{8})\/?$/.exec(location.pathname);
  if (joinMatch && /^#[A-Za-z0-9_-]{32}$/.test(location.hash)) {
    // The link's secret: kept in memory for the join request, out of the address bar and history.
    setLinkSecret(location.hash.slice(1));
    history.replaceState(null, "", location.pathname);
  }
  const saved = loadSession();
  if (saved) void resume(saved);
  else if (joinMatch) void openForm("join", joinMatch[1]);
  else goStart();
  renderCallState();
  startShell();
}

boot();
