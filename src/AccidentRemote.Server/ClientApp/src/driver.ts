// The driver's page: report or join a case, wait in the queue, answer the officer's video call,
// follow instructions (move the cars, take photos), sign, rate. Mobile first, for weak networks.
// This file wires the page; each section lives in driver/ (state.ts holds what they share).
import { byTestId } from "./lib/dom";
import { applyI18n, onLangChange, toggleLang } from "./lib/i18n";
import { startShell } from "./lib/shell";
import { copyClaimNumber, downloadDocument, onStarKey, renderClaim, resetRating, setRating, submitRating } from "./driver/afterCase";
import { keepSession, onCopyCaseLink, openCaseLink, renderCaseLink, takeCaseLink } from "./driver/caseLink";
import { callMeBack, hangUp, hangUpConfirm, renderEnded, swapVideos } from "./driver/call";
import { goStart, renderCallState, watchTopBars } from "./driver/callState";
import { followStatus, renderQueue, renderShare, renderStatusText, share } from "./driver/case";
import { agreeToNotice } from "./driver/consent";
import { setUpDisplayModes } from "./driver/display";
import { confirmInsurer, currentFormMode, form, locate, openForm, renderFormTexts, renderInsurerCard, submitForm } from "./driver/form";
import { onOnline } from "./driver/hubLink";
import { confirmMoved, renderInstruction, renderSpeak, speakInstruction, toggleSpeakAuto, uploadPhoto } from "./driver/instructions";
import { wirePhrases } from "./driver/phrases";
import { answerQuestion, renderIntakeNotice, renderJoined, renderQuestion, renewJoin, setLinkSecret } from "./driver/joining";
import { resume, startOver } from "./driver/lifecycle";
import { render as renderLowLight, startLightWatch, toggleTorch } from "./driver/lowLight";
import { acquireMedia, finishDecision, isAudioOnly, renderControls, setAudioOnly, switchCamera, toggleMute } from "./driver/media";
import { renderPlateKeyboards, setUpPlateKeyboards } from "./driver/plateKeyboard";
import { followShots, renderShots, setUpShots } from "./driver/shots";
import { backToTriage, setUpTriage, startTriage } from "./driver/triage";
import { renderDocumentCards, objectionRecorded, saveDetails, setUpPad, signAfterAll, submitSignature, viewDocument } from "./driver/signing";
import { openObjection, renderDecision, submitObjection } from "./driver/decision";
import { caseStatus, loadSession, onStatus, setStatus, state } from "./driver/state";

function boot(): void {
  setUpDisplayModes();
  wirePhrases();
  // Each status the page learns runs these, in this order: the status line, the document cards,
  // the screen the status leads to, then the call state (which reads what the others set).
  onStatus(renderStatusText);
  onStatus(renderDocumentCards);
  onStatus(followStatus);
  onStatus(renderCallState);
  onStatus(followShots);
  onStatus(renderCaseLink);
  onStatus(keepSession);
  applyI18n();
  watchTopBars();
  renderSpeak();
  startLightWatch();
  byTestId("lang-switch").addEventListener("click", toggleLang);
  window.addEventListener("online", onOnline);
  onLangChange(() => {
    renderFormTexts();
    renderPlateKeyboards();
    renderShots();
    renderCallState();
    renderControls();
    renderSpeak();
    renderLowLight();
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
      renderDecision();
    }
  });
  byTestId("start-report").addEventListener("click", startTriage);
  byTestId("start-join").addEventListener("click", () => void openForm("join"));
  byTestId("form-back").addEventListener("click", () => (currentFormMode() === "report" ? backToTriage() : goStart()));
  byTestId("insurer-confirm").addEventListener("click", () => void confirmInsurer());
  byTestId("consent-agree").addEventListener("click", agreeToNotice);
  byTestId("consent-back").addEventListener("click", goStart);
  byTestId("document-download").addEventListener("click", () => void downloadDocument());
  byTestId("claim-copy").addEventListener("click", () => void copyClaimNumber());
  document.querySelectorAll("[data-case-link-copy]").forEach((b) => b.addEventListener("click", onCopyCaseLink));
  byTestId("rating-stars").addEventListener("click", (e) => {
    const star = (e.target as HTMLElement).closest<HTMLButtonElement>("button[data-value]");
    if (star) setRating(Number(star.dataset.value));
  });
  byTestId("rating-stars").addEventListener("keydown", onStarKey);
  resetRating();
  byTestId("rating-card").addEventListener("submit", (e) => void submitRating(e));
  form().addEventListener("submit", (e) => void submitForm(e));
  byTestId("locate").addEventListener("click", locate);
  byTestId("escalated-done").addEventListener("click", startOver);
  byTestId("share-button").addEventListener("click", () => void share());
  byTestId("media-consent").addEventListener("click", () => void acquireMedia());
  byTestId("call-media-consent").addEventListener("click", () => void acquireMedia());
  byTestId("media-skip").addEventListener("click", finishDecision);
  byTestId("mute").addEventListener("click", toggleMute);
  byTestId("switch-camera").addEventListener("click", () => void switchCamera());
  byTestId("audio-only").addEventListener("click", () => void setAudioOnly(!isAudioOnly()));
  byTestId("moved-button").addEventListener("click", () => void confirmMoved());
  byTestId("instruction-speak").addEventListener("click", speakInstruction);
  byTestId("speak-auto").addEventListener("click", toggleSpeakAuto);
  byTestId("swap-video").addEventListener("click", swapVideos);
  byTestId("torch").addEventListener("click", () => void toggleTorch());
  byTestId("hang-up").addEventListener("click", () => hangUpConfirm(true));
  byTestId("hangup-no").addEventListener("click", () => hangUpConfirm(false));
  byTestId("hangup-yes").addEventListener("click", () => void hangUp());
  byTestId("call-back").addEventListener("click", () => void callMeBack());
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
  setUpTriage();
  setUpPlateKeyboards();
  setUpShots();
  byTestId("disagree-open").addEventListener("click", () => openObjection(true));
  byTestId("objection-cancel").addEventListener("click", () => openObjection(false));
  byTestId("objection-form").addEventListener("submit", (e) => void submitObjection(e, objectionRecorded));
  byTestId("objection-sign-anyway").addEventListener("click", signAfterAll);

  byTestId("duplicate-yes").addEventListener("click", () => void answerQuestion(true));
  byTestId("duplicate-no").addEventListener("click", () => void answerQuestion(false));
  byTestId("join-renew").addEventListener("click", () => void renewJoin());
  const joinMatch = /^\/join\/(\d{8})\/?$/.exec(location.pathname);
  if (joinMatch && /^#[A-Za-z0-9_-]{32}$/.test(location.hash)) {
    // The link's secret: kept in memory for the join request, out of the address bar and history.
    setLinkSecret(location.hash.slice(1));
    history.replaceState(null, "", location.pathname);
  }
  const linked = takeCaseLink();
  const saved = loadSession();
  if (linked) void openCaseLink(linked);
  else if (saved) void resume(saved);
  else if (joinMatch) void openForm("join", joinMatch[1]);
  else goStart();
  renderCallState();
  startShell();
}

boot();
