// The driver's page: report or join a case, wait in the queue, answer the officer's video call,
// follow instructions (move the cars, take photos). Mobile first, for weak networks.
import { HubConnectionState, type HubConnection } from "@microsoft/signalr";
import { api, ApiError, blobUrl, download, setToken, upload } from "./lib/api";
import type {
  CaseChanged, CaseDocumentView, CaseView, ClaimAcknowledged, IncomingSignal, Insurer, Instruction, JoinResponse, OutgoingSignal, PartyClaim, QueuePosition, ReportResponse,
} from "./lib/contract";
import type { DuplicateQuestion, DuplicateQuestionMessage, JoinInfo, MergedMessage, MyCase } from "./lib/contract";
import { VehicleTypes } from "./lib/contract";
import { byTestId, showScreen } from "./lib/dom";
import { buildHub, CandidateBuffer, fromIce, SerialQueue, startHub, toIceInit } from "./lib/hub";
import { applyI18n, has, lang, onLangChange, setPlain, setText, t, toggleLang, type Key } from "./lib/i18n";
import { iceConfig } from "./lib/ice";

// ---------- session (survives a reload of the tab, not a closed tab) ----------

interface Session {
  caseId: string;
  partyId: string;
  partyNumber: number;
  token: string;
  caseNumber: string;
  joinCode: string | null;
  /** The case's link secret (for the join link and QR), when this phone may show it. */
  joinSecret?: string | null;
  latitude: number | null;
  longitude: number | null;
  /** Set once the driver rated the handling (the server refuses a second rating). */
  rated?: boolean;
}

const sessionKey = "ar.driver";

function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(sessionKey);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

function saveSession(s: Session | null): void {
  try {
    if (s) sessionStorage.setItem(sessionKey, JSON.stringify(s));
    else sessionStorage.removeItem(sessionKey);
  } catch {
    // Storage off: the case still works until the tab reloads.
  }
}

let session: Session | null = null;
let caseStatus = "";
/** Case states (see the server's CaseStateMachine) in which the driver waits in the queue. */
const waitingStates = ["reported", "queued"];
/** After these the case has no call: the server refuses the hub and relay servers, so the page does not ask. */
const overStates = ["closed", "escalated", "abandoned"];

// ---------- call state on <body data-call-state> (tests read it) ----------

type CallState = "idle" | "waiting" | "connecting" | "connected" | "reconnecting" | "ended";

let inCall = false;
let ended = false;
let hubReconnecting = false;
let hubDown = false;

function iceState(): RTCIceConnectionState | null {
  return pc ? pc.iceConnectionState : null;
}

function computeCallState(): CallState {
  if (ended) return "ended";
  if (!session) return "idle";
  if (!inCall) return "waiting";
  const ice = iceState();
  if (hubReconnecting || ice === "disconnected" || ice === "failed") return "reconnecting";
  if (ice === "connected" || ice === "completed") return "connected";
  return "connecting";
}

function renderCallState(): void {
  const state = computeCallState();
  document.body.dataset.callState = state;
  document.body.dataset.hub = !hub ? "none" : hubDown ? "down" : hubReconnecting ? "reconnecting"
    : hub.state === HubConnectionState.Connected ? "connected" : "connecting";
  byTestId("call-status").textContent = t(`call.state.${state}` as Key);
  const banner = byTestId("banner");
  // Once the case is over the live connection is not needed (the server refuses it): no banner about it.
  const over = overStates.includes(caseStatus);
  const text = over ? ""
    : hubReconnecting ? t("banner.reconnecting")
    : hubDown && session ? t("banner.liveOff")
    : inCall && state === "reconnecting" ? t("banner.iceReconnecting")
    : "";
  banner.textContent = text;
  banner.hidden = text === "";
}

// ---------- start ----------

function goStart(): void {
  ended = false;
  renderCallState();
  showScreen("start");
}

// ---------- privacy notice and consent (PIPL) ----------
// Shown before anything is captured: the report and join forms (which ask for location) and the
// call (camera, microphone) are reached only after "I agree". The retention it states comes from
// the server's settings; the agreement (notice version, language) goes with the report or join.

interface NoticeView {
  version: string;
  retention: { evidenceFilesDays: number; personalDataDays: number; staffSessionsDays: number };
}

interface Consent { noticeVersion: string; language: string; agreed: true }

const consentKey = "ar.consent";
let consent: Consent | null = loadConsent();
let notice: NoticeView | null = null;
let afterConsent: (() => void) | null = null;

function loadConsent(): Consent | null {
  try {
    const raw = sessionStorage.getItem(consentKey);
    const c = raw ? (JSON.parse(raw) as Consent) : null;
    return c?.noticeVersion === t("consent.version") ? c : null;
  } catch {
    return null;
  }
}

/** The agreement a report or join carries; null until the driver pressed "I agree" in this tab. */
function consentPayload(): Consent | null {
  return consent;
}

/** Runs next at once if the driver already agreed; otherwise shows the notice, and next after "I agree". */
function withConsent(next: () => void): void {
  if (consent) {
    next();
    return;
  }
  afterConsent = next;
  showScreen("consent");
  void loadNotice();
}

async function loadNotice(): Promise<void> {
  const agree = byTestId<HTMLButtonElement>("consent-agree");
  const status = byTestId("consent-status");
  agree.disabled = true;
  setText(status, "consent.loading");
  try {
    notice = await api<NoticeView>("GET", "/api/privacy/notice");
  } catch {
    setText(status, "consent.failed");
    setText(agree, "consent.retry");
    agree.dataset.retry = "true";
    agree.disabled = false;
    return;
  }
  if (notice.version !== t("consent.version")) {
    setText(status, "consent.stale"); // a cached page with an older notice: it must not be agreed to
    return;
  }
  const keep = (id: string, key: Key, days: number) => {
    const li = byTestId(id);
    setText(li, key, { days });
    li.hidden = false;
  };
  keep("consent-keep-evidence", "consent.keep.evidence", notice.retention.evidenceFilesDays);
  keep("consent-keep-personal", "consent.keep.personal", notice.retention.personalDataDays);
  setPlain(status, "");
  setText(agree, "consent.agree");
  delete agree.dataset.retry;
  agree.disabled = false;
}

function agreeToNotice(): void {
  if (byTestId("consent-agree").dataset.retry) {
    void loadNotice();
    return;
  }
  if (!notice) return;
  consent = { noticeVersion: notice.version, language: lang, agreed: true };
  try {
    sessionStorage.setItem(consentKey, JSON.stringify(consent));
  } catch {
    // Storage off: the agreement lasts until the tab reloads.
  }
  const next = afterConsent;
  afterConsent = null;
  next?.();
}

// ---------- report / join form ----------

type FormMode = "report" | "join";
let formMode: FormMode = "report";
let insurers: Insurer[] | null = null;
let coords: { latitude: number; longitude: number } | null = null;

const form = () => byTestId<HTMLFormElement>("case-form");
const field = <T extends HTMLElement>(name: string) => form().elements.namedItem(name) as T;

function localNow(): string {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

async function openForm(mode: FormMode, joinCode?: string): Promise<void> {
  if (!consentPayload()) {
    withConsent(() => void openForm(mode, joinCode));
    return;
  }
  formMode = mode;
  clearErrors();
  form().querySelectorAll<HTMLElement>("[data-mode]").forEach((e) => { e.hidden = e.dataset.mode !== mode; });
  if (joinCode) field<HTMLInputElement>("joinCode").value = joinCode;
  const time = field<HTMLInputElement>("accidentTime");
  if (!time.value) time.value = localNow();
  time.max = localNow();
  renderFormTexts();
  showScreen("form");
  if (!insurers) {
    try {
      insurers = await api<Insurer[]>("GET", "/api/insurers");
    } catch {
      insurers = []; // "don't know" stays possible
    }
    renderSelects();
  }
}

function renderFormTexts(): void {
  byTestId("form-title").textContent = t(formMode === "report" ? "form.reportTitle" : "form.joinTitle");
  byTestId("submit").textContent = t(formMode === "report" ? "form.submitReport" : "form.submitJoin");
  renderSelects();
}

function renderSelects(): void {
  const vt = field<HTMLSelectElement>("vehicleType");
  const vtValue = vt.value || "small-car";
  vt.replaceChildren(...VehicleTypes.map((v) => new Option(t(`vehicle.${v}` as Key), v)));
  vt.value = vtValue;

  const ins = field<HTMLSelectElement>("insurerCode");
  const insValue = ins.value;
  ins.replaceChildren(new Option(t("form.insurerUnknown"), ""),
    ...(insurers ?? []).map((i) => new Option(lang === "en" ? i.nameEn : i.nameZh, i.code)));
  ins.value = insValue;
}

// The insurer from the insurers' policy data, for this party's OWN plate only: asked with the party
// token once the report exists (GET /api/cases/{id}/insurer-suggestion), so that nobody can ask
// which insurer covers a stranger's plate. Offered only when the driver chose "I don't know"; the
// insurer is preselected and recorded only when the driver confirms it (PUT .../parties/me/insurer).
// 404 (nothing to suggest, insurer already chosen) and a server without the endpoint say nothing.
let suggestion: { caseId: string; code: string } | null = null;

async function suggestInsurer(): Promise<void> {
  const s = session;
  const card = byTestId("insurer-card");
  card.hidden = true;
  suggestion = null;
  if (!s) return;
  let code: string | null = null;
  try {
    code = (await api<{ insurerCode: string }>("GET", `/api/cases/${s.caseId}/insurer-suggestion`))?.insurerCode ?? null;
    if (!insurers) insurers = await api<Insurer[]>("GET", "/api/insurers");
  } catch {
    code = null;
  }
  if (session !== s || !code || !insurers?.some((i) => i.code === code)) return;
  suggestion = { caseId: s.caseId, code };
  renderInsurerCard();
  byTestId<HTMLSelectElement>("insurer-confirm-select").value = code;
  byTestId("insurer-confirm-status").textContent = "";
  card.hidden = false;
}

function renderInsurerCard(): void {
  if (!suggestion) return;
  const select = byTestId<HTMLSelectElement>("insurer-confirm-select");
  const value = select.value || suggestion.code;
  select.replaceChildren(...(insurers ?? []).map((i) => new Option(lang === "en" ? i.nameEn : i.nameZh, i.code)));
  select.value = value;
}

async function confirmInsurer(): Promise<void> {
  if (!suggestion) return;
  const button = byTestId<HTMLButtonElement>("insurer-confirm");
  const status = byTestId("insurer-confirm-status");
  button.disabled = true;
  try {
    await api("PUT", `/api/cases/${suggestion.caseId}/parties/me/insurer`, { insurerCode: byTestId<HTMLSelectElement>("insurer-confirm-select").value });
    suggestion = null;
    byTestId("insurer-card").hidden = true;
  } catch (e) {
    status.textContent = e instanceof ApiError && lang === "en" ? [e.title, e.detail].filter(Boolean).join(" ") : t("insurerCheck.failed");
  } finally {
    button.disabled = false;
  }
}

function clearErrors(): void {
  form().querySelectorAll<HTMLElement>("[data-err]").forEach((e) => { e.hidden = true; e.textContent = ""; });
  form().querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  const fe = byTestId("form-error");
  fe.hidden = true;
  fe.textContent = "";
}

/** Server messages per field are in English; in Chinese a translated hint per field stands in. */
function fieldMessage(key: string, serverText: string): string {
  const k = `error.${key}`;
  return lang === "en" || !has(k) ? serverText : t(k);
}

function showErrors(e: ApiError): void {
  let first: HTMLElement | null = null;
  const unplaced: string[] = [];
  for (const [key, messages] of Object.entries(e.errors)) {
    const slot = form().querySelector<HTMLElement>(`[data-err="${key}"]`);
    const text = messages.map((m) => fieldMessage(key, m)).filter((m, i, a) => a.indexOf(m) === i).join(" ");
    if (!slot || slot.parentElement?.closest("[hidden]")) {
      unplaced.push(text);
      continue;
    }
    slot.textContent = text;
    slot.hidden = false;
    const box = slot.closest(".field");
    box?.querySelectorAll("input, select").forEach((i) => i.setAttribute("aria-invalid", "true"));
    first ??= box as HTMLElement | null;
  }
  if (Object.keys(e.errors).length === 0 || unplaced.length > 0) {
    const fe = byTestId("form-error");
    fe.textContent = unplaced.length ? unplaced.join(" ") : problemText(e);
    fe.hidden = false;
    first ??= fe;
  }
  first?.scrollIntoView({ block: "center" });
  first?.querySelector<HTMLElement>("input, select")?.focus({ preventScroll: true });
}

function problemText(e: ApiError): string {
  if (e.offline) return t("error.offline");
  if (e.status === 429) return t("error.tooMany");
  if (formMode === "join" && e.status === 423) return t("error.joinLocked");
  if (e.status === 403 && e.title) return [e.title, e.detail].filter(Boolean).join(" "); // blocked after abuse: the server's text is in the page's language
  if (formMode === "join" && (e.status === 404 || e.status === 409) && lang !== "en") return t(e.status === 404 ? "error.joinNotFound" : "error.joinConflict");
  return lang === "en" ? [e.title, e.detail].filter(Boolean).join(" ") : t("error.server", { status: e.status });
}

function radio(name: string): string | null {
  return form().querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? null;
}

function yesNo(name: string): boolean | null {
  const v = radio(name);
  return v === null ? null : v === "true";
}

function text(name: string): string | null {
  const v = field<HTMLInputElement>(name).value.trim();
  return v === "" ? null : v;
}

async function submitForm(ev: Event): Promise<void> {
  ev.preventDefault();
  clearErrors();
  const button = byTestId<HTMLButtonElement>("submit");
  button.disabled = true;
  button.textContent = t("common.sending");
  try {
    const vehicle = {
      phone: text("phone"), plate: text("plate")?.toUpperCase() ?? null, vehicleType: field<HTMLSelectElement>("vehicleType").value,
      insurerCode: field<HTMLSelectElement>("insurerCode").value || null, policyNumber: text("policyNumber"),
    };
    if (formMode === "report") {
      const timeValue = field<HTMLInputElement>("accidentTime").value;
      const r = await api<ReportResponse>("POST", "/api/cases", {
        ...vehicle,
        latitude: coords?.latitude ?? null, longitude: coords?.longitude ?? null, address: text("address"),
        accidentTime: timeValue ? new Date(timeValue).toISOString() : null,
        otherPlate: text("otherPlate")?.toUpperCase() ?? null,
        numberOfParties: Number(radio("numberOfParties") ?? "0") || null,
        triage: { anyoneInjured: yesNo("anyoneInjured"), vehiclesDrivable: yesNo("vehiclesDrivable"), hazardousGoods: yesNo("hazardousGoods") },
        consent: consentPayload(),
      });
      if (r.escalated) {
        byTestId("advice").textContent = r.advice ?? t("escalated.generic");
        showScreen("escalated");
        return;
      }
      intakeNotice = r.possibleDuplicate ? "duplicate.possible" : null;
      await enterCase({ caseId: r.caseId, partyId: r.partyId, partyNumber: r.partyNumber, token: r.partyToken, caseNumber: r.caseNumber,
        joinCode: r.joinCode, joinSecret: r.joinSecret ?? null, latitude: coords?.latitude ?? null, longitude: coords?.longitude ?? null }, r.status);
    } else {
      const code = (text("joinCode") ?? "").replace(/\D/g, "");
      const r = await api<JoinResponse>("POST", "/api/cases/join", { joinCode: code, joinSecret: linkSecret, ...vehicle, consent: consentPayload() });
      await enterCase({ caseId: r.caseId, partyId: r.partyId, partyNumber: r.partyNumber, token: r.partyToken, caseNumber: r.caseNumber,
        joinCode: code, latitude: null, longitude: null }, r.status);
    }
  } catch (e) {
    showErrors(e instanceof ApiError ? e : new ApiError(0, String(e), null, {}));
  } finally {
    button.disabled = false;
    renderFormTexts();
  }
}

function locate(): void {
  const status = byTestId("location-status");
  if (!("geolocation" in navigator)) {
    setText(status, "location.unavailable");
    field<HTMLInputElement>("address").focus();
    return;
  }
  setText(status, "location.locating");
  navigator.geolocation.getCurrentPosition(
    (p) => {
      coords = { latitude: p.coords.latitude, longitude: p.coords.longitude };
      setText(status, "location.found", { metres: Math.round(p.coords.accuracy) });
      status.dataset.located = "true";
    },
    (err) => {
      setText(status, err.code === err.PERMISSION_DENIED ? "location.denied" : "location.failed");
      field<HTMLInputElement>("address").focus();
    },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
  );
}

// ---------- the case: waiting ----------

let hub: HubConnection | null = null;

async function enterCase(s: Session, status: string): Promise<void> {
  session = s;
  saveSession(s);
  setToken(s.token);
  ended = false;
  byTestId("case-number").textContent = s.caseNumber;
  renderShare();
  renderIntakeNotice();
  applyStatus(status);
  if (!overStates.includes(status)) void connectHub();
  void refreshIntake();
  if (waitingStates.includes(status)) void refreshQueuePosition();
  void checkMediaPermission();
  void suggestInsurer();
}

function renderStatusText(): void {
  byTestId("case-status").textContent = has(`status.${caseStatus}`) ? t(`status.${caseStatus}` as Key) : caseStatus;
}

function applyStatus(status: string): void {
  caseStatus = status;
  renderStatusText();
  renderDocumentCards();
  switch (status) {
    case "reported":
    case "queued":
      if (!inCall) showScreen("waiting");
      break;
    case "in_call":
    case "vehicles_moved":
    case "liability_determined":
    case "awaiting_signatures":
      if (!ended) enterCall();
      break;
    case "closed":
      endCall("closed");
      break;
    case "abandoned":
      endCall("abandoned");
      void loadAbandonReason();
      break;
    case "escalated":
      byTestId("advice").textContent = t("escalated.generic");
      showScreen("escalated");
      break;
  }
  renderCallState();
}

async function refreshQueuePosition(): Promise<void> {
  if (!session) return;
  try {
    showQueue(await api<QueuePosition>("GET", `/api/cases/${session.caseId}/queue-position`));
  } catch {
    setText(byTestId("queue-wait"), "waiting.unknown");
  }
}

let lastQueue: QueuePosition | null = null;

function showQueue(q: QueuePosition): void {
  lastQueue = q;
  setText(byTestId("queue-position"), "waiting.position", { n: q.position });
  byTestId("queue-position").dataset.position = String(q.position);
  if (q.expectedWaitSeconds < 60) setText(byTestId("queue-wait"), "waiting.lessThanMinute");
  else setText(byTestId("queue-wait"), "waiting.expected", { minutes: Math.ceil(q.expectedWaitSeconds / 60) });
}

function renderShare(): void {
  const s = session;
  const card = byTestId("share-card");
  card.hidden = !s?.joinCode;
  if (!s?.joinCode) return;
  byTestId("join-code").textContent = s.joinCode.replace(/(\d{4})(\d{4})/, "$1 $2");
  const link = byTestId<HTMLAnchorElement>("share-link");
  link.href = `${location.origin}/join/${s.joinCode}${s.joinSecret ? `#${s.joinSecret}` : ""}`;
  link.textContent = link.href;
  const img = byTestId<HTMLImageElement>("join-qr");
  img.alt = t("share.qrAlt");
  if (!img.src) {
    blobUrl(`/api/cases/${s.caseId}/join-qr.svg`).then(
      (url) => { img.src = url; img.hidden = false; },
      // 409: every vehicle has joined, so there is nobody left to share the code with.
      (e) => { img.hidden = true; if (e instanceof ApiError && e.status === 409) card.hidden = true; });
  }
}

async function share(): Promise<void> {
  const url = byTestId<HTMLAnchorElement>("share-link").href;
  try {
    if (navigator.share) await navigator.share({ title: t("app.name"), text: t("share.text", { code: session?.joinCode ?? "" }), url });
    else await navigator.clipboard.writeText(url);
    setText(byTestId("share-button"), "share.copied");
  } catch {
    // Cancelled by the user.
  }
}

// ---------- the hub ----------

async function connectHub(): Promise<void> {
  if (hub || !session) return;
  const h = buildHub(() => session?.token ?? null);
  hub = h;
  renderCallState();
  h.on("QueuePosition", (q: QueuePosition) => { if (q.caseId === session?.caseId) showQueue(q); });
  h.on("CaseChanged", (c: CaseChanged) => { if (c.caseId === session?.caseId) { applyStatus(c.status); void refreshIntake(); } });
  h.on("DuplicateQuestion", (q: DuplicateQuestionMessage) => { if (q.caseId === session?.caseId) void refreshIntake(); });
  h.on("Merged", (m: MergedMessage) => void onMerged(m));
  h.on("PartyRejected", (r: { caseId: string; partyId: string }) => { if (r.caseId === session?.caseId && r.partyId === session.partyId) onRejected(); });
  h.on("Signal", (s: IncomingSignal) => signals.run(() => onSignal(s), signalError));
  h.on("Instruction", (i: Instruction) => { if (i.caseId === session?.caseId) onInstruction(i); });
  h.on("ClaimAcknowledged", (c: ClaimAcknowledged) => { if (c.caseId === session?.caseId) void showClaim(c); });
  const ok = await startHub(h, {
    onReconnecting: () => { if (hub !== h) return; hubReconnecting = true; renderCallState(); },
    onReconnected: () => { if (hub !== h) return; hubReconnecting = false; hubDown = false; hubRestarts = 0; renderCallState(); void resync(); },
    onDown: () => {
      if (hub !== h) return;
      hubReconnecting = false;
      hubDown = true;
      renderCallState();
      if (!overStates.includes(caseStatus)) scheduleHubRestart(nextRestartDelay());
    },
  });
  if (hub !== h) return;
  hubDown = !ok;
  renderCallState();
}

// SignalR's automatic reconnect gives up after about 23 s; a phone in a tunnel or a lift is off
// longer. After that the page keeps trying on its own (and at once when the browser says it is
// online again), so the driver never has to reload to get the officer back. 5 s, doubling up to 60 s.
let hubRestart: number | undefined;
let hubRestarts = 0;

function nextRestartDelay(): number {
  return Math.min(60000, 5000 * 2 ** Math.min(hubRestarts++, 4));
}

function scheduleHubRestart(delay: number): void {
  window.clearTimeout(hubRestart);
  hubRestart = window.setTimeout(() => void restartHub(), delay);
}

async function restartHub(): Promise<void> {
  const h = hub;
  if (!h || !session || !hubDown || h.state !== HubConnectionState.Disconnected) return;
  try {
    await h.start();
  } catch {
    if (hub === h) scheduleHubRestart(nextRestartDelay());
    return;
  }
  if (hub !== h) return;
  hubRestarts = 0;
  // A new connection: the server puts it in the case's groups and tells the officer, whose console offers again.
  hubDown = false;
  renderCallState();
  void resync();
}

/** After a gap in the live connection: what did we miss? */
async function resync(): Promise<void> {
  if (!session) return;
  try {
    const c = await api<CaseView>("GET", `/api/cases/${session.caseId}`);
    if (c.status !== caseStatus) applyStatus(c.status);
  } catch {
    // Still offline: the banner says so.
  }
  if (waitingStates.includes(caseStatus)) void refreshQueuePosition();
  if (caseStatus === "closed") void checkClaim();
}

async function send(sig: Omit<OutgoingSignal, "caseId" | "toPartyId">): Promise<void> {
  if (!hub || !session) return;
  await hub.invoke("Signal", { caseId: session.caseId, toPartyId: null, ...sig } satisfies OutgoingSignal);
}

// ---------- media ----------

let local: MediaStream | null = null;
let facing: "environment" | "user" = "environment";
let audioOnly = false;
let muted = false;
let mediaDecided: Promise<void> | null = null;
let decide: (() => void) | null = null;

async function checkMediaPermission(): Promise<void> {
  try {
    const [cam, mic] = await Promise.all([
      navigator.permissions.query({ name: "camera" as PermissionName }),
      navigator.permissions.query({ name: "microphone" as PermissionName }),
    ]);
    if (cam.state === "granted" && mic.state === "granted") await acquireMedia();
  } catch {
    // Permissions API without camera names (Firefox, older Safari): ask with the button.
  }
}

/** Resolves once the driver allowed (or declined) camera and microphone; shows the explanation first. */
function mediaDecision(): Promise<void> {
  if (local) return Promise.resolve();
  byTestId("call-consent").hidden = false;
  mediaDecided ??= new Promise<void>((resolve) => { decide = resolve; });
  return mediaDecided;
}

async function acquireMedia(): Promise<void> {
  const status = byTestId("media-status");
  if (!navigator.mediaDevices?.getUserMedia) {
    setText(status, "media.unsupported");
    finishDecision();
    return;
  }
  setText(status, "media.starting");
  try {
    local = await navigator.mediaDevices.getUserMedia({ audio: audioConstraints, video: audioOnly ? false : videoConstraints() });
  } catch {
    try {
      local = await navigator.mediaDevices.getUserMedia({ audio: audioConstraints, video: false });
      audioOnly = true;
    } catch {
      local = null;
    }
  }
  setText(status, local ? "media.ready" : "media.denied");
  byTestId("media-card").dataset.ready = local ? "true" : "false";
  byTestId<HTMLButtonElement>("media-consent").hidden = !!local;
  watchVideoTrack();
  showLocal();
  renderControls();
  finishDecision();
  if (pc) await attachTracks(pc);
}

function finishDecision(): void {
  byTestId("call-consent").hidden = true;
  decide?.();
  decide = null;
  mediaDecided = Promise.resolve();
}

const audioConstraints: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

function videoConstraints(): MediaTrackConstraints {
  // 640x480 at 15 fps is enough to see damage and plates, and survives a weak uplink.
  return { facingMode: { ideal: facing }, width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 15, max: 24 } };
}

function showLocal(): void {
  const v = byTestId<HTMLVideoElement>("local-video");
  const hasVideo = !!local?.getVideoTracks().length;
  v.srcObject = hasVideo ? local : null;
  v.hidden = !hasVideo;
}

/** The camera can stop under us (another app took it, e.g. the photo capture): get it back. */
function watchVideoTrack(): void {
  const track = local?.getVideoTracks()[0];
  if (!track) return;
  track.onended = () => { if (!audioOnly && local?.getVideoTracks()[0] === track) void replaceVideo(); };
}

async function replaceVideo(): Promise<void> {
  if (!local) return;
  for (const old of local.getVideoTracks()) { old.stop(); local.removeTrack(old); }
  if (!audioOnly) {
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: videoConstraints() });
      local.addTrack(s.getVideoTracks()[0]!);
      watchVideoTrack();
    } catch {
      audioOnly = true;
    }
  }
  showLocal();
  renderControls();
  if (pc) await attachTracks(pc);
}

async function setAudioOnly(on: boolean): Promise<void> {
  if (audioOnly === on) return;
  audioOnly = on;
  await replaceVideo();
}

async function switchCamera(): Promise<void> {
  facing = facing === "environment" ? "user" : "environment";
  await replaceVideo();
}

function toggleMute(): void {
  muted = !muted;
  local?.getAudioTracks().forEach((a) => { a.enabled = !muted; });
  renderControls();
}

function renderControls(): void {
  const mute = byTestId("mute");
  mute.setAttribute("aria-pressed", String(muted));
  mute.textContent = t(muted ? "call.unmute" : "call.mute");
  const ao = byTestId("audio-only");
  ao.setAttribute("aria-pressed", String(audioOnly));
  ao.textContent = t(audioOnly ? "call.videoOn" : "call.audioOnly");
  byTestId<HTMLButtonElement>("switch-camera").disabled = audioOnly || !local;
  document.body.dataset.audioOnly = String(audioOnly);
  document.body.dataset.muted = String(muted);
}

// ---------- the call (the officer offers, we answer) ----------

let pc: RTCPeerConnection | null = null;
const signals = new SerialQueue();
const candidates = new CandidateBuffer();

function signalError(e: unknown): void {
  console.warn("signalling step failed", e);
}

async function createPc(): Promise<RTCPeerConnection> {
  const p = new RTCPeerConnection(await iceConfig(false));
  const remote = new MediaStream();
  const video = byTestId<HTMLVideoElement>("remote-video");
  video.srcObject = remote;
  p.ontrack = (e) => {
    remote.addTrack(e.track);
    e.track.onunmute = () => { void video.play().catch(() => undefined); };
    void video.play().catch(() => undefined);
  };
  p.onicecandidate = (e) => {
    if (e.candidate) void send({ type: "candidate", description: null, candidate: fromIce(e.candidate) }).catch(signalError);
  };
  p.oniceconnectionstatechange = () => renderCallState();
  p.onconnectionstatechange = () => renderCallState();
  return p;
}

function closePc(): void {
  candidates.clear();
  if (pc) {
    pc.ontrack = pc.onicecandidate = pc.oniceconnectionstatechange = pc.onconnectionstatechange = null;
    pc.close();
  }
  pc = null;
}

/** Our tracks onto the transceivers the officer's offer made (no renegotiation needed later:
 *  mute, audio-only and camera switch all use replaceTrack). */
async function attachTracks(p: RTCPeerConnection): Promise<void> {
  for (const kind of ["audio", "video"] as const) {
    const track = local?.getTracks().find((x) => x.kind === kind) ?? null;
    const tr = p.getTransceivers().find((x) => x.receiver.track.kind === kind && x.currentDirection !== "stopped");
    if (!tr) continue;
    if (tr.sender.track !== track) await tr.sender.replaceTrack(track);
    if (track && local && "setStreams" in tr.sender) tr.sender.setStreams(local);
    if (track && tr.direction !== "sendrecv" && tr.direction !== "sendonly") tr.direction = "sendrecv";
  }
}

function enterCall(): void {
  inCall = true;
  ended = false;
  showScreen("call");
  renderControls();
  if (!local) void mediaDecision();
  renderCallState();
}

async function onSignal(s: IncomingSignal): Promise<void> {
  if (!session || s.caseId !== session.caseId || s.fromPartyId !== null) return;
  switch (s.type) {
    case "offer": {
      if (!s.description?.sdp) return;
      enterCall();
      await mediaDecision();
      const offer: RTCSessionDescriptionInit = { type: "offer", sdp: s.description.sdp };
      pc ??= await createPc();
      try {
        await pc.setRemoteDescription(offer);
      } catch {
        // An offer from a new connection on the officer's side that does not fit ours: start afresh.
        closePc();
        pc = await createPc();
        await pc.setRemoteDescription(offer);
      }
      await attachTracks(pc);
      await candidates.flush(pc);
      await pc.setLocalDescription(await pc.createAnswer());
      await send({ type: "answer", description: { type: "answer", sdp: pc.localDescription?.sdp ?? null }, candidate: null });
      renderCallState();
      break;
    }
    case "candidate":
      await candidates.add(pc, toIceInit(s.candidate));
      break;
    case "hangup":
      endCall("hangup");
      break;
    case "answer":
      break; // the driver never offers
  }
}

type EndReason = "hangup" | "end-call" | "closed" | "abandoned";
let endReason: EndReason = "hangup";
/** Why the case was abandoned: `expired` when nobody answered it in time (Cases:UnansweredExpiry). */
let abandonReason: string | null = null;

async function loadAbandonReason(): Promise<void> {
  if (!session) return;
  try {
    abandonReason = (await api<CaseView>("GET", `/api/cases/${session.caseId}`)).abandonReason ?? null;
  } catch {
    abandonReason = null; // offline: the generic text stays
  }
  if (ended) renderEnded();
}

function endCall(reason: EndReason): void {
  // The officer's console hangs up right after closing: that must not turn "closed" back into "call ended".
  if (reason === "hangup" && (caseStatus === "closed" || caseStatus === "abandoned")) return;
  closePc();
  inCall = false;
  ended = true;
  endReason = reason;
  renderEnded();
  byTestId("instruction").hidden = true;
  showScreen("ended");
  renderCallState();
}

function renderEnded(): void {
  const final = endReason === "closed" || endReason === "abandoned";
  const [title, text]: [Key, Key] = endReason === "closed" ? ["ended.closedTitle", "ended.closedText"]
    : endReason === "abandoned" && abandonReason === "expired" ? ["ended.expiredTitle", "ended.expiredText"]
    : endReason === "abandoned" ? ["ended.abandonedTitle", "ended.abandonedText"]
    : ["ended.title", "ended.text"];
  byTestId("ended-title").textContent = t(title);
  byTestId("ended-text").textContent = t(text);
  byTestId("ended-back").hidden = final;
  renderAfterCase();
}

// ---------- after the case: the signed document and the rating ----------

let rating = 0;

function renderAfterCase(): void {
  const closed = ended && endReason === "closed" && session !== null;
  byTestId("rating-card").hidden = !closed || session?.rated === true;
  byTestId("rating-thanks").hidden = !closed || session?.rated !== true;
  if (closed) { void checkDocument(); void checkClaim(); }
  else byTestId("document-card").hidden = true;
}

/** Offers the signed document for download once every party signed (status `signed`). */
async function checkDocument(): Promise<void> {
  if (!session) return;
  let doc: CaseDocumentView | null = null;
  try {
    doc = await api<CaseDocumentView>("GET", `/api/cases/${session.caseId}/document`);
  } catch {
    doc = null; // no document (e.g. closed without one) or offline
  }
  byTestId("document-card").hidden = doc?.status !== "signed";
}

async function downloadDocument(): Promise<void> {
  if (!session) return;
  const status = byTestId("document-status");
  const button = byTestId<HTMLButtonElement>("document-download");
  button.disabled = true;
  setText(status, "common.sending");
  try {
    await download(`/api/cases/${session.caseId}/document/pdf`, `accident-document-${session.caseNumber}.pdf`);
    setText(status, "ended.downloaded");
  } catch (e) {
    setPlain(status, e instanceof ApiError ? problemText(e) : t("error.offline"));
  } finally {
    button.disabled = false;
  }
}

function stars(): HTMLButtonElement[] {
  return [...byTestId("rating-stars").querySelectorAll<HTMLButtonElement>("button[data-value]")];
}

/** Stars are a radio group: one tab stop (the chosen star, else the first), arrows move the choice. */
function setRating(n: number, focus = false): void {
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

function onStarKey(e: KeyboardEvent): void {
  const step = e.key === "ArrowRight" || e.key === "ArrowUp" ? 1 : e.key === "ArrowLeft" || e.key === "ArrowDown" ? -1 : 0;
  if (e.key === "Home" || e.key === "End") setRating(e.key === "Home" ? 1 : 5, true);
  else if (step) setRating((rating || (step > 0 ? 0 : 6)) + step, true);
  else return;
  e.preventDefault();
}

async function submitRating(ev: Event): Promise<void> {
  ev.preventDefault();
  if (!session || !rating) return;
  const error = byTestId("rating-error");
  const button = byTestId<HTMLButtonElement>("rating-submit");
  error.hidden = true;
  button.disabled = true;
  try {
    const comment = byTestId<HTMLTextAreaElement>("rating-comment").value.trim() || null;
    await api("POST", `/api/cases/${session.caseId}/satisfaction`, { rating, comment });
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

function resetRating(): void {
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

function rated(): void {
  if (!session) return;
  session.rated = true;
  saveSession(session);
  renderAfterCase();
  byTestId("rating-thanks").focus();
}

let claimShown: ClaimAcknowledged | null = null;

/**
 * The push (ClaimAcknowledged) reaches only a page that is connected when the insurer answers: a page
 * reloaded, reopened or offline at that moment asks the server for its claim instead.
 */
async function checkClaim(): Promise<void> {
  if (!session || claimShown) return;
  const caseId = session.caseId;
  try {
    const mine = (await api<PartyClaim[]>("GET", `/api/cases/${caseId}/claims`)).find((c) => c.claimReportNumber);
    if (mine?.claimReportNumber && session?.caseId === caseId && !claimShown) {
      await showClaim({ caseId, insurerCode: mine.insurerCode, claimReportNumber: mine.claimReportNumber });
    }
  } catch {
    // Offline: the push, or the next look after a reconnect, brings it.
  }
}

/** The insurer's claim report number (报案号), pushed when the insurer acknowledged the claim. */
async function showClaim(c: ClaimAcknowledged): Promise<void> {
  claimShown = c;
  if (!insurers) {
    try { insurers = await api<Insurer[]>("GET", "/api/insurers"); } catch { insurers = []; }
  }
  if (claimShown !== c) return;
  const insurer = insurers.find((i) => i.code === c.insurerCode);
  setText(byTestId("claim-insurer"), "claim.registered", { insurer: insurer ? (lang === "en" ? insurer.nameEn : insurer.nameZh) : c.insurerCode });
  byTestId("claim-number").textContent = c.claimReportNumber;
  // The insurer's hotline: what the driver still needs after the case, when the link no longer opens the call.
  const hotline = byTestId<HTMLAnchorElement>("claim-hotline");
  hotline.textContent = insurer?.hotline ?? "";
  hotline.href = insurer?.hotline ? `tel:${insurer.hotline.replace(/[^0-9+]/g, "")}` : "#";
  byTestId("claim-hotline-line").hidden = !insurer?.hotline;
  byTestId("claim").hidden = false;
}

// ---------- the accident document: details, then signature ----------

let detailsSaved = false;
let signed = false;

function renderDocumentCards(): void {
  byTestId("details-card").hidden = detailsSaved || !["in_call", "vehicles_moved", "liability_determined"].includes(caseStatus);
  const sign = byTestId("sign-card");
  const wasHidden = sign.hidden;
  sign.hidden = signed || caseStatus !== "awaiting_signatures";
  if (wasHidden && !sign.hidden) {
    byTestId("instruction").hidden = true;
    sign.scrollIntoView({ block: "start" });
  }
}

async function saveDetails(): Promise<void> {
  if (!session) return;
  const name = byTestId<HTMLInputElement>("details-name");
  const id = byTestId<HTMLInputElement>("details-id");
  const nameErr = byTestId("details-name-error");
  const idErr = byTestId("details-id-error");
  nameErr.hidden = idErr.hidden = true;
  try {
    await api("PUT", `/api/cases/${session.caseId}/parties/me`, { name: name.value.trim(), idNumber: id.value.trim().toUpperCase() });
    detailsSaved = true;
    setText(byTestId("details-status"), "details.saved");
    renderDocumentCards();
  } catch (e) {
    if (e instanceof ApiError && (e.errors.name || e.errors.idNumber)) {
      if (e.errors.name) { setText(nameErr, "details.nameError"); nameErr.hidden = false; }
      if (e.errors.idNumber) { setText(idErr, "details.idError"); idErr.hidden = false; }
    } else {
      setPlain(byTestId("details-status"), e instanceof ApiError ? problemText(e) : t("error.offline"));
    }
  }
}

let inked = false;

function setUpPad(): void {
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

async function viewDocument(): Promise<void> {
  if (!session) return;
  // Open the tab now, inside the tap, so pop-up blockers allow it; fill it when the PDF arrives.
  const tab = window.open("", "_blank");
  try {
    const url = await blobUrl(`/api/cases/${session.caseId}/document/pdf`);
    if (tab) tab.location.href = url;
    else location.href = url;
  } catch (e) {
    tab?.close();
    setPlain(byTestId("sign-status"), e instanceof ApiError ? problemText(e) : t("error.offline"));
  }
}

async function submitSignature(): Promise<void> {
  if (!session) return;
  const status = byTestId("sign-status");
  if (!inked) {
    setText(status, "sign.empty");
    return;
  }
  const button = byTestId<HTMLButtonElement>("sign-submit");
  button.disabled = true;
  setText(status, "sign.sending");
  try {
    await api("POST", `/api/cases/${session.caseId}/signature`, { png: byTestId<HTMLCanvasElement>("sign-pad").toDataURL("image/png") });
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

// ---------- instructions from the officer ----------

let photoAngle: string | null = null;
let instructionText: (() => string) | null = null;

function onInstruction(i: Instruction): void {
  const card = byTestId("instruction");
  const say = (key: Key, vars?: () => Record<string, string>) => {
    instructionText = () => t(key, vars?.());
    byTestId("instruction-text").textContent = instructionText();
    setPlain(byTestId("instruction-status"), "");
    card.dataset.kind = i.kind;
    card.hidden = false;
    byTestId("moved-button").hidden = i.kind !== "move-cars";
    byTestId("photo-panel").hidden = i.kind !== "photo";
  };
  if (i.kind === "end-call") {
    endCall("end-call");
    return;
  }
  if (!inCall) enterCall();
  switch (i.kind) {
    case "move-cars":
      say("instruction.moveCars");
      break;
    case "photo":
      photoAngle = i.angle;
      say("instruction.photo", () => ({ angle: i.angle && has(`angle.${i.angle}`) ? t(`angle.${i.angle}` as Key) : t("angle.any") }));
      byTestId<HTMLProgressElement>("photo-progress").hidden = true;
      break;
    case "audio-only":
      say("instruction.audioOnly");
      void setAudioOnly(true);
      break;
    case "video":
      say("instruction.video");
      void setAudioOnly(false);
      break;
  }
  card.scrollIntoView({ block: "start" });
}

async function confirmMoved(): Promise<void> {
  if (!session) return;
  const button = byTestId<HTMLButtonElement>("moved-button");
  const status = byTestId("instruction-status");
  button.disabled = true;
  try {
    await api("POST", `/api/cases/${session.caseId}/moved-confirmation`);
    setText(status, "instruction.movedThanks");
    button.hidden = true;
  } catch (e) {
    setPlain(status, e instanceof ApiError ? problemText(e) : t("error.offline"));
  } finally {
    button.disabled = false;
  }
}

async function uploadPhoto(input: HTMLInputElement): Promise<void> {
  const file = input.files?.[0];
  if (!file || !session) return;
  const progress = byTestId<HTMLProgressElement>("photo-progress");
  const status = byTestId("instruction-status");
  const formData = new FormData();
  formData.append("file", file, file.name || "photo.jpg");
  formData.append("kind", "photo");
  if (photoAngle) formData.append("angle", photoAngle);
  if (session.latitude !== null && session.longitude !== null) {
    formData.append("latitude", String(session.latitude));
    formData.append("longitude", String(session.longitude));
  }
  progress.hidden = false;
  progress.value = 0;
  setText(status, "photo.sending");
  try {
    await upload(`/api/cases/${session.caseId}/evidence`, formData, (f) => {
      progress.value = f;
      setText(status, "photo.progress", { percent: Math.round(f * 100) });
    });
    progress.value = 1;
    setText(status, "photo.sent");
    status.dataset.uploaded = "true";
  } catch (e) {
    setPlain(status, e instanceof ApiError && e.status === 404 ? t("photo.unavailable") : e instanceof ApiError ? problemText(e) : t("error.offline"));
    status.dataset.uploaded = "false";
  } finally {
    input.value = "";
  }
}

// ---------- joining: who joined, turning away, possible duplicates ----------

/** The secret of the join link this page was opened with (from the QR code), if any. */
let linkSecret: string | null = null;
let lastJoin: JoinInfo | null = null;
let questions: DuplicateQuestion[] = [];
let intakeNotice: Key | null = null;

function renderIntakeNotice(): void {
  const p = byTestId("intake-notice");
  p.hidden = !intakeNotice;
  if (intakeNotice) setText(p, intakeNotice);
}

async function refreshIntake(): Promise<void> {
  const s = session;
  if (!s) return;
  try {
    const info = await api<JoinInfo>("GET", `/api/cases/${s.caseId}/join`);
    if (session !== s) return;
    if (info.joinCode !== s.joinCode || info.joinSecret !== (s.joinSecret ?? null)) {
      s.joinCode = info.joinCode;
      s.joinSecret = info.joinSecret;
      saveSession(s);
      byTestId<HTMLImageElement>("join-qr").removeAttribute("src"); // a renewed code: a new QR
    }
    lastJoin = info;
    renderShare();
    renderJoined();
  } catch {
    // Offline or turned away: the hub or the next change tells.
  }
  try {
    questions = await api<DuplicateQuestion[]>("GET", `/api/cases/${s.caseId}/duplicate-questions`);
    if (session === s) renderQuestion();
  } catch {
    // Asked again on the next change.
  }
}

/** The first party sees who joined (plate, masked phone) and can turn a wrong one away. */
function renderJoined(): void {
  const info = lastJoin;
  const card = byTestId("joined-card");
  const others = info?.parties.filter((p) => p.partyId !== session?.partyId) ?? [];
  card.hidden = session?.partyNumber !== 1 || others.length === 0;
  byTestId("join-locked").hidden = !info?.locked;
  byTestId("join-renew").hidden = session?.partyNumber !== 1 || !info?.locked;
  const list = byTestId("joined-list");
  list.replaceChildren();
  for (const p of others) {
    const li = document.createElement("li");
    li.dataset.partyId = p.partyId;
    const plate = document.createElement("bdi");
    plate.className = "plate";
    plate.textContent = p.plate;
    const phone = document.createElement("bdi");
    phone.textContent = p.phone;
    const reject = document.createElement("button");
    reject.type = "button";
    reject.className = "btn secondary";
    reject.dataset.testid = "joined-reject";
    reject.textContent = t("joined.reject");
    reject.addEventListener("click", () => void rejectParty(p.partyId));
    li.append(plate, " ", phone, reject);
    list.append(li);
  }
}

async function rejectParty(partyId: string): Promise<void> {
  if (!session) return;
  try {
    await api<JoinInfo>("POST", `/api/cases/${session.caseId}/parties/${partyId}/reject`);
  } finally {
    void refreshIntake();
  }
}

async function renewJoin(): Promise<void> {
  if (!session) return;
  try {
    await api<JoinInfo>("POST", `/api/cases/${session.caseId}/join/renew`);
  } finally {
    void refreshIntake();
  }
}

/** "京M99999 says it was in your accident: is that right?", asked of this party only. */
function renderQuestion(): void {
  const q = questions[0];
  const card = byTestId("duplicate-card");
  card.hidden = !q;
  if (!q) return;
  card.dataset.linkId = q.linkId;
  setText(byTestId("duplicate-question"), "duplicate.question", { plate: q.plate });
}

async function answerQuestion(confirm: boolean): Promise<void> {
  const q = questions[0];
  if (!session || !q) return;
  try {
    await api("POST", `/api/cases/${session.caseId}/duplicates/${q.linkId}/answer`, { confirm });
  } catch {
    // Decided by the officer meanwhile, or the case is full: the list below says what is left.
  }
  questions = questions.slice(1);
  renderQuestion();
  void refreshIntake();
}

/** The other driver confirmed: this party's token now opens their case. Follow it without a reload. */
async function onMerged(m: MergedMessage): Promise<void> {
  if (!session || m.fromCaseId !== session.caseId || m.partyId !== session.partyId) return;
  await moveTo({ ...session, caseId: m.caseId, caseNumber: m.caseNumber, partyNumber: m.partyNumber, joinCode: null, joinSecret: null });
}

async function followMerge(s: Session): Promise<boolean> {
  try {
    const mine = await api<MyCase>("GET", "/api/cases/mine");
    if (mine.caseId === s.caseId) return false;
    await moveTo({ ...s, caseId: mine.caseId, caseNumber: mine.caseNumber, partyNumber: mine.partyNumber, joinCode: null, joinSecret: null });
    return true;
  } catch {
    return false;
  }
}

async function moveTo(s: Session): Promise<void> {
  // A new hub connection: the server puts it in the groups of the case the token opens now.
  const old = hub;
  hub = null;
  window.clearTimeout(hubRestart);
  hubDown = false;
  void old?.stop();
  intakeNotice = "merged.notice";
  lastJoin = null;
  let status = "queued";
  try {
    status = (await api<CaseView>("GET", `/api/cases/${s.caseId}`)).status;
  } catch {
    // Offline: the hub's resync tells.
  }
  await enterCase(s, status);
}

function onRejected(): void {
  startOver();
  byTestId("advice").textContent = t("rejected.notice");
  showScreen("escalated");
}

// ---------- boot ----------

async function resume(s: Session): Promise<void> {
  setToken(s.token);
  try {
    const c = await api<CaseView>("GET", `/api/cases/${s.caseId}`);
    await enterCase({ ...s, joinCode: c.joinCode ?? s.joinCode, caseNumber: c.caseNumber }, c.status);
  } catch (e) {
    // Merged into the other driver's case while this page was away: the token opens that case now.
    if (e instanceof ApiError && e.status === 404 && await followMerge(s)) return;
    if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
      saveSession(null);
      setToken(null);
      goStart();
    } else {
      await enterCase(s, "reported"); // offline: show what we know, the banner tells the rest
    }
  }
}

function startOver(): void {
  closePc();
  local?.getTracks().forEach((x) => x.stop());
  local = null;
  session = null;
  inCall = false;
  saveSession(null);
  setToken(null);
  window.clearTimeout(hubRestart);
  hubRestarts = 0;
  void hub?.stop();
  hub = null;
  hubDown = false;
  history.replaceState(null, "", "/");
  resetRating();
  claimShown = null;
  byTestId("claim").hidden = true;
  suggestion = null;
  byTestId("insurer-card").hidden = true;
  goStart();
}

function boot(): void {
  applyI18n();
  byTestId("lang-switch").addEventListener("click", toggleLang);
  window.addEventListener("online", () => { if (hubDown) scheduleHubRestart(0); });
  onLangChange(() => {
    renderFormTexts();
    renderCallState();
    renderControls();
    renderInsurerCard();
    if (session) {
      renderStatusText();
      renderEnded();
      if (instructionText) byTestId("instruction-text").textContent = instructionText();
      renderShare();
      renderIntakeNotice();
      renderJoined();
      renderQuestion();
      if (lastQueue) showQueue(lastQueue);
      if (claimShown) void showClaim(claimShown);
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
  byTestId("audio-only").addEventListener("click", () => void setAudioOnly(!audioOnly));
  byTestId("moved-button").addEventListener("click", () => void confirmMoved());
  byTestId("photo-input").addEventListener("change", (e) => void uploadPhoto(e.target as HTMLInputElement));
  byTestId("ended-back").addEventListener("click", () => { ended = false; if (session) applyStatus(caseStatus); });
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
    linkSecret = location.hash.slice(1);
    history.replaceState(null, "", location.pathname);
  }
  const saved = loadSession();
  if (saved) void resume(saved);
  else if (joinMatch) void openForm("join", joinMatch[1]);
  else goStart();
  renderCallState();
}

boot();
