// The officer's console: live queue, accept, one video tile and one RTCPeerConnection per party,
// evidence, instructions, liability and closing. Keyboard: A accept next, 1-5 pick a tile,
// S screenshot of the picked tile, M tell everyone to move the cars; Alt+1 the desk, Alt+2 the board.
import type { HubConnection } from "@microsoft/signalr";
import { api, ApiError, setToken, upload } from "./lib/api";
import { boardChanged, hideBoard, initBoard, renderBoardTexts, showBoard } from "./lib/board";
import type {
  CallRoster, CaseChanged, CaseView, EvidenceAdded, FraudSignal, IncomingSignal, LiabilityScenario, OutgoingSignal, PartyMoved, PartyView, PeerChanged,
  CaseStatus, QueueItem, SignInResponse,
} from "./lib/contract";
import type { DuplicateView } from "./lib/contract";
import { AbandonReasons, Angles, EscalationReasons, Liabilities } from "./lib/contract";
import { byTestId, el, minutesSeconds, showScreen } from "./lib/dom";
import { buildHub, CandidateBuffer, fromIce, SerialQueue, startHub, toIceInit } from "./lib/hub";
import { iceConfig } from "./lib/ice";
import { applyI18n, has, lang, onLangChange, t, toggleLang, type Key } from "./lib/i18n";
import { mountSignIn, problem, restoreSession, signOut, wireSignIn } from "./lib/staff";

const relayOnly = new URLSearchParams(location.search).get("relay") === "1";
const storageKey = "ar.officer";

interface OfficerSession { token: string; officer: SignInResponse["officer"] }

let officer: OfficerSession | null = null;
let hub: HubConnection | null = null;

// ---------- small helpers ----------

function message(text: string): void {
  byTestId("case-message").textContent = text;
}

function logEvent(kind: string, text: string): void {
  const time = new Date().toLocaleTimeString(lang, { hour12: false });
  const item = el("li", { "data-event": kind }, el("time", { text: time }), " ", text);
  byTestId("event-log").prepend(item);
}

function setHubState(state: "connecting" | "connected" | "reconnecting" | "down"): void {
  document.body.dataset.hub = state;
  byTestId("hub-state").textContent = t(`console.hub.${state}` as Key);
  const banner = byTestId("banner");
  banner.hidden = state === "connected" || state === "connecting";
  banner.textContent = state === "reconnecting" ? t("banner.reconnecting") : state === "down" ? t("console.liveOff") : "";
}

// ---------- queue ----------

let queue: QueueItem[] = [];
let queueAt = Date.now();

function setQueue(items: QueueItem[]): void {
  queue = items;
  queueAt = Date.now();
  renderQueue();
}

function renderQueue(): void {
  const list = byTestId("queue-list");
  byTestId("queue-count").textContent = String(queue.length);
  byTestId("queue-empty").hidden = queue.length > 0;
  byTestId<HTMLButtonElement>("accept-next").disabled = queue.length === 0 || current !== null;
  list.replaceChildren(...queue.map((q) => {
    const accept = el("button", { type: "button", "data-testid": "queue-accept", text: t("console.accept") });
    accept.addEventListener("click", () => void accept_(q.caseId));
    accept.disabled = current !== null;
    const abuse = el("button", { type: "button", class: "danger", "data-testid": "queue-abuse", text: t("console.abuse") });
    abuse.addEventListener("click", () => void markAbuse(q.caseId, q.caseNumber));
    return el("li", { "data-testid": "queue-item", "data-case-id": q.caseId },
      el("div", { class: "q-main" },
        el("strong", { text: q.caseNumber }),
        el("span", { class: "wait", "data-testid": "queue-wait", "data-reported-at": q.reportedAt, "data-waiting": String(q.waitingSeconds) })),
      // The driver's address in its own bidi isolate: a direction override in it cannot turn the rest around.
      el("div", { class: "q-sub" }, `${t("console.parties", { joined: q.partiesJoined, expected: q.expectedParties })} · `,
        el("bdi", { text: q.address ?? t("console.gpsOnly") })),
      ...(q.possibleDuplicateOf?.length
        ? [el("div", { class: "q-dup", "data-testid": "queue-duplicate", text: t("console.possibleDuplicate", { numbers: q.possibleDuplicateOf.join(", ") }) })]
        : []),
      el("span", { class: "q-actions" }, accept, abuse));
  }));
  tickQueue();
}

/** Waiting times count up every second between pushes, from the server's figure at the last push. */
function tickQueue(): void {
  const elapsed = (Date.now() - queueAt) / 1000;
  byTestId("queue-list").querySelectorAll<HTMLElement>("[data-testid=queue-wait]").forEach((w) => {
    const s = Number(w.dataset.waiting) + elapsed;
    w.textContent = minutesSeconds(s);
    w.classList.toggle("late", s > 60);
  });
}

async function loadQueue(): Promise<void> {
  try {
    setQueue(await api<QueueItem[]>("GET", "/api/queue"));
  } catch (e) {
    message(problem(e));
  }
}

async function acceptNext(): Promise<void> {
  if (current) return;
  for (const q of [...queue]) {
    if (await accept_(q.caseId, true)) return;
  }
}

/** Accepts a case; false when another officer was faster (409) so the next one can be tried. */
/** A waiting report that is abuse: closed (abandoned, reason abuse) and its reporting client blocked for a while (POST /api/cases/{id}/abuse). */
async function markAbuse(caseId: string, caseNumber: string): Promise<void> {
  if (!window.confirm(t("console.abuseConfirm", { number: caseNumber }))) return;
  try {
    await api("POST", `/api/cases/${caseId}/abuse`);
    message(t("console.abuseDone", { number: caseNumber }));
  } catch (e) {
    message(problem(e));
  }
  queue = queue.filter((q) => q.caseId !== caseId);
  renderQueue();
}

async function accept_(caseId: string, quiet = false): Promise<boolean> {
  if (current) return false;
  try {
    await api("POST", `/api/cases/${caseId}/accept`);
  } catch (e) {
    if (!quiet || !(e instanceof ApiError) || e.status !== 409) message(problem(e));
    queue = queue.filter((q) => q.caseId !== caseId);
    renderQueue();
    return false;
  }
  await openCase(caseId);
  return true;
}

// ---------- the case and its tiles ----------

interface Tile {
  partyId: string;
  partyNumber: number;
  plate: string;
  online: boolean;
  root: HTMLElement;
  video: HTMLVideoElement;
  pc: RTCPeerConnection | null;
  queue: SerialQueue;
  candidates: CandidateBuffer;
  audioOnly: boolean;
  evidence: number;
}

let current: { id: string; caseNumber: string; status: CaseStatus } | null = null;
let tiles: Tile[] = [];
let selected = 0;
let local: MediaStream | null = null;

async function openCase(caseId: string): Promise<void> {
  let view: CaseView;
  try {
    view = await api<CaseView>("GET", `/api/cases/${caseId}`);
  } catch (e) {
    message(problem(e));
    return;
  }
  current = { id: view.id, caseNumber: view.caseNumber, status: view.status };
  sessionStorage.setItem(`${storageKey}.case`, caseId);
  byTestId("no-case").hidden = true;
  byTestId("case-detail").hidden = false;
  byTestId("case-number").textContent = view.caseNumber;
  renderStatus();
  const when = new Date(view.accidentTime).toLocaleString(lang, { hour12: false });
  byTestId("case-summary").replaceChildren(...(view.location.address ? [el("bdi", { text: view.location.address }), " · "] : []), when);
  message("");
  renderQueue();
  await startLocalMedia();
  for (const p of view.parties) {
    const tile = upsertTile(p.id, p.partyNumber, p.plate, false, p.liability);
    renderInsurance(tile, p.compulsoryInsurance, p.compulsoryConflict);
    renderConsent(tile, p.consent);
  }
  void loadFraudSignals(view.id);
  void loadDuplicates(view.id);
  await watch();
}

function renderStatus(): void {
  if (!current) return;
  const s = byTestId("case-status");
  s.textContent = has(`console.status.${current.status}`) ? t(`console.status.${current.status}` as Key) : current.status;
  s.dataset.status = current.status;
}

/** Asks the hub for the roster; offers to every party that is online. */
async function watch(): Promise<void> {
  if (!current || !hub || hub.state !== "Connected") {
    if (current) message(t("console.noLive"));
    return;
  }
  try {
    const roster = await hub.invoke<CallRoster>("WatchCase", current.id);
    logEvent("Watching", t("console.event.watching", { number: current.caseNumber, online: roster.parties.filter((p) => p.online).length, total: roster.parties.length }));
    for (const p of roster.parties) {
      const tile = upsertTile(p.partyId, p.partyNumber, p.plate, p.online, undefined);
      if (p.online && !isConnected(tile)) tile.queue.run(() => offer(tile), offerError(tile));
    }
  } catch (e) {
    message(e instanceof Error ? e.message : String(e));
  }
}

function upsertTile(partyId: string, partyNumber: number, plate: string, online: boolean, liability: string | null | undefined): Tile {
  let tile = tiles.find((x) => x.partyId === partyId);
  if (!tile) {
    const n = partyNumber;
    const video = el("video", { "data-testid": `tile-${n}-video`, autoplay: "", playsinline: "", "data-frames": "0" });
    const angle = el("select", { "data-testid": `tile-${n}-angle` },
      ...Angles.map((a) => el("option", { value: a, "data-i18n": `angle.${a}`, text: t(`angle.${a}` as Key) })));
    const liab = el("select", { "data-testid": `tile-${n}-liability` },
      el("option", { value: "", "data-i18n": "console.liabilityChoose", text: t("console.liabilityChoose") }),
      ...Liabilities.map((l) => el("option", { value: l, "data-i18n": `liability.${l}`, text: t(`liability.${l}` as Key) })));
    if (liability) liab.value = liability;
    const button = (id: string, key: Key) => el("button", { type: "button", "data-testid": `tile-${n}-${id}`, "data-i18n": key, text: t(key) });
    const shot = button("screenshot", "console.screenshot");
    const photo = button("photo", "console.requestPhoto");
    const audio = button("audio-only", "console.audioOnly");
    const root = el("article", { class: "tile", "data-testid": `tile-${n}`, "data-party-id": partyId, "data-party-number": String(n), "data-state": "offline" },
      el("div", { class: "tile-head" },
        el("strong", { text: `#${n} ` }), el("span", { "data-testid": `tile-${n}-plate`, text: plate }),
        el("span", { class: "badge", "data-testid": `tile-${n}-state` }),
        el("span", { class: "badge ok", "data-testid": `tile-${n}-moved`, "data-i18n": "console.moved", text: t("console.moved"), hidden: "" }),
        el("span", { class: "badge", "data-testid": `tile-${n}-evidence`, text: "" }),
        el("span", { class: "badge", "data-testid": `tile-${n}-insurance`, hidden: "" }),
        el("span", { class: "badge", "data-testid": `tile-${n}-consent`, hidden: "" })),
      video,
      el("div", { class: "tile-tools" }, shot, audio, angle, photo),
      el("label", { class: "liability" }, el("span", { "data-i18n": "console.liability", text: t("console.liability") }), liab));
    const t_: Tile = { partyId, partyNumber: n, plate, online, root, video, pc: null, queue: new SerialQueue(), candidates: new CandidateBuffer(), audioOnly: false, evidence: 0 };
    tile = t_;
    root.addEventListener("click", () => select(tiles.indexOf(t_)));
    shot.addEventListener("click", () => void screenshot(t_));
    photo.addEventListener("click", () => void instruct("photo", t_.partyId, angle.value));
    audio.addEventListener("click", () => void toggleAudioOnly(t_));
    countFrames(video);
    tiles.push(tile);
    tiles.sort((a, b) => a.partyNumber - b.partyNumber);
    byTestId("tiles").replaceChildren(...tiles.map((x) => x.root));
    select(selected);
  }
  tile.online = online || tile.online;
  renderTile(tile);
  return tile;
}

/**
 * 交强险 of the party from its declared insurer's policy record, and a second badge when other
 * insurers' records disagree (the officer checks the policy papers); nothing when the server does not send it.
 */
function renderInsurance(tile: Tile, value: PartyView["compulsoryInsurance"], conflict?: PartyView["compulsoryConflict"]): void {
  const badge = byTestId(`tile-${tile.partyNumber}-insurance`, tile.root);
  badge.hidden = !value;
  if (value) {
    badge.dataset.value = value;
    badge.classList.toggle("bad", value === "expired" || value === "not_started");
    badge.classList.toggle("ok", value === "valid");
    const key = `console.insurance.${value}`;
    badge.dataset.i18n = has(key) ? key : "console.insurance.unknown";
    badge.textContent = t(badge.dataset.i18n as Key);
  }
  let flag = tile.root.querySelector<HTMLElement>(`[data-testid="tile-${tile.partyNumber}-insurance-conflict"]`);
  if (!flag) {
    flag = el("span", { class: "badge bad", "data-testid": `tile-${tile.partyNumber}-insurance-conflict`, hidden: "" });
    badge.after(flag);
  }
  flag.hidden = !conflict;
  if (!conflict) return;
  flag.dataset.value = conflict;
  const key = `console.insurance.conflict.${conflict}`;
  flag.dataset.i18n = has(key) ? key : "console.insurance.conflict.other_insurer_cover";
  flag.textContent = t(flag.dataset.i18n as Key);
}

/** The privacy notice the party agreed to before reporting or joining (PIPL): language and time; version in the title. */
function renderConsent(tile: Tile, consent: PartyView["consent"]): void {
  const badge = byTestId(`tile-${tile.partyNumber}-consent`, tile.root);
  badge.hidden = !consent;
  if (!consent) return;
  badge.dataset.version = consent.noticeVersion;
  badge.dataset.language = consent.language;
  badge.dataset.i18n = "console.consent";
  badge.dataset.i18nVars = JSON.stringify({ language: consent.language, at: new Date(consent.at).toLocaleTimeString("zh-CN", { hour12: false }) });
  badge.textContent = t("console.consent", JSON.parse(badge.dataset.i18nVars) as Record<string, string>);
  badge.title = `${consent.noticeVersion} · ${consent.at}`;
}

async function loadFraudSignals(caseId: string): Promise<void> {
  const box = byTestId("fraud-signals");
  let signals: FraudSignal[] = [];
  try {
    signals = await api<FraudSignal[]>("GET", `/api/cases/${caseId}/fraud-signals`);
  } catch {
    signals = []; // not offered by this server, or offline: nothing to flag
  }
  if (current?.id !== caseId) return;
  box.hidden = signals.length === 0;
  byTestId("fraud-list").replaceChildren(...signals.map((f) => {
    // A known code gets our short name (it follows the language switch); the server's description says the details.
    const name = has(`fraud.${f.code}`) ? el("strong", { "data-i18n": `fraud.${f.code}`, text: t(`fraud.${f.code}` as Key) }) : el("strong", { text: f.code });
    return el("li", { "data-testid": "fraud-signal", "data-code": f.code }, name, " ", f.description);
  }));
}

// ---------- possible duplicates: the other report beside the case, merge or keep apart ----------

function duplicatesBox(): HTMLElement {
  let box = document.querySelector<HTMLElement>("[data-testid=duplicates]");
  if (!box) {
    box = el("div", { class: "fraud", "data-testid": "duplicates", role: "note" });
    byTestId("fraud-signals").after(box);
  }
  return box;
}

async function loadDuplicates(caseId: string): Promise<void> {
  let links: DuplicateView[] = [];
  try {
    links = (await api<DuplicateView[]>("GET", `/api/cases/${caseId}/duplicates`)).filter((d) => d.status === "pending");
  } catch {
    // Shown again when the case is opened.
  }
  if (current?.id !== caseId) return;
  const box = duplicatesBox();
  box.hidden = links.length === 0;
  box.replaceChildren(...links.map((d) => {
    const merge = el("button", { type: "button", "data-testid": "duplicate-merge", text: t("console.merge") });
    merge.disabled = !d.mergeable;
    merge.addEventListener("click", () => void decideDuplicate(caseId, d.linkId, "merge"));
    const apart = el("button", { type: "button", "data-testid": "duplicate-keep-apart", text: t("console.keepApart") });
    apart.addEventListener("click", () => void decideDuplicate(caseId, d.linkId, "keep-apart"));
    const when = new Date(d.otherAccidentTime).toLocaleString(lang, { hour12: false });
    return el("div", { "data-testid": "duplicate", "data-link-id": d.linkId },
      el("strong", { text: t("console.duplicateOf", { number: d.otherCaseNumber }) }), " ",
      el("bdi", { text: d.otherPlates.join(", ") }), " · ", el("bdi", { text: d.otherAddress ?? t("console.gpsOnly") }), ` · ${when} · `,
      t("console.parties", { joined: d.otherPlates.length, expected: d.otherExpectedParties }),
      ...(d.whyNotMergeable ? [el("p", { text: d.whyNotMergeable })] : []),
      el("div", {}, merge, " ", apart));
  }));
}

async function decideDuplicate(caseId: string, linkId: string, action: "merge" | "keep-apart"): Promise<void> {
  try {
    await api("POST", `/api/cases/${caseId}/duplicates/${linkId}/${action}`);
    logEvent("duplicate", t(action === "merge" ? "console.duplicateMerged" : "console.duplicateKept"));
  } catch (e) {
    message(problem(e));
  }
  void loadDuplicates(caseId);
  void loadQueue();
}

function select(i: number): void {
  if (i < 0 || i >= tiles.length) return;
  selected = i;
  tiles.forEach((x, j) => { x.root.dataset.selected = String(j === i); });
}

function isConnected(tile: Tile): boolean {
  const s = tile.pc?.iceConnectionState;
  return s === "connected" || s === "completed";
}

function tileState(tile: Tile): string {
  const ice = tile.pc?.iceConnectionState;
  if (!tile.online && !isConnected(tile)) return "offline";
  if (ice === "connected" || ice === "completed") return "connected";
  if (ice === "disconnected" || ice === "failed") return "reconnecting";
  return "connecting";
}

function renderTile(tile: Tile): void {
  const state = tileState(tile);
  const n = tile.partyNumber;
  tile.root.dataset.state = state;
  tile.root.dataset.online = String(tile.online);
  byTestId(`tile-${n}-state`, tile.root).textContent = t(`console.tile.${state}` as Key);
  byTestId(`tile-${n}-audio-only`, tile.root).textContent = t(tile.audioOnly ? "console.video" : "console.audioOnly");
  byTestId(`tile-${n}-audio-only`, tile.root).setAttribute("aria-pressed", String(tile.audioOnly));
  byTestId(`tile-${n}-evidence`, tile.root).textContent = tile.evidence ? t("console.evidenceCount", { n: tile.evidence }) : "";
}

/** data-frames on each tile's video counts decoded frames, so a test can see video really arrives. */
function countFrames(video: HTMLVideoElement): void {
  if (!("requestVideoFrameCallback" in video)) return;
  let frames = 0;
  const step = () => {
    frames++;
    video.dataset.frames = String(frames);
    video.requestVideoFrameCallback(step);
  };
  video.requestVideoFrameCallback(step);
}

async function startLocalMedia(): Promise<void> {
  if (local || !navigator.mediaDevices?.getUserMedia) return;
  try {
    local = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } });
  } catch {
    try {
      local = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      local = null;
      message(t("console.noMic"));
    }
  }
  byTestId<HTMLVideoElement>("officer-video").srcObject = local;
}

// ---------- WebRTC per party: the console always offers ----------

async function send(tile: Tile, sig: Omit<OutgoingSignal, "caseId" | "toPartyId">): Promise<void> {
  if (!hub || !current) return;
  await hub.invoke("Signal", { caseId: current.id, toPartyId: tile.partyId, ...sig } satisfies OutgoingSignal);
}

function offerError(tile: Tile): (e: unknown) => void {
  return (e) => {
    console.warn(`signalling with party ${tile.partyNumber} failed`, e);
    renderTile(tile);
  };
}

async function createPc(tile: Tile): Promise<RTCPeerConnection> {
  const pc = new RTCPeerConnection(await iceConfig(relayOnly));
  for (const kind of ["audio", "video"] as const) {
    const track = local?.getTracks().find((x) => x.kind === kind);
    // sendrecv even without our camera: the party's phone sends on this transceiver.
    if (track && local) pc.addTransceiver(track, { direction: "sendrecv", streams: [local] });
    else pc.addTransceiver(kind, { direction: "recvonly" });
  }
  const remote = new MediaStream();
  tile.video.srcObject = remote;
  pc.ontrack = (e) => {
    remote.addTrack(e.track);
    void tile.video.play().catch(() => undefined);
  };
  pc.onicecandidate = (e) => {
    if (e.candidate) void send(tile, { type: "candidate", description: null, candidate: fromIce(e.candidate) }).catch(offerError(tile));
  };
  pc.oniceconnectionstatechange = () => {
    renderTile(tile);
    if (pc.iceConnectionState === "failed" && tile.pc === pc) tile.queue.run(() => offer(tile, true), offerError(tile));
  };
  return pc;
}

function closeTilePc(tile: Tile): void {
  tile.candidates.clear();
  if (tile.pc) {
    tile.pc.ontrack = tile.pc.onicecandidate = tile.pc.oniceconnectionstatechange = null;
    tile.pc.close();
  }
  tile.pc = null;
}

/** Offers to a party; with an existing connection the offer restarts ICE (the phone came back). */
async function offer(tile: Tile, restart = tile.pc !== null): Promise<void> {
  if (!current) return;
  if (!tile.pc || tile.pc.signalingState === "closed") {
    closeTilePc(tile);
    tile.pc = await createPc(tile);
    restart = false;
  }
  const pc = tile.pc;
  await pc.setLocalDescription(await pc.createOffer({ iceRestart: restart }));
  await send(tile, { type: "offer", description: { type: "offer", sdp: pc.localDescription?.sdp ?? null }, candidate: null });
  renderTile(tile);
}

async function onAnswer(tile: Tile, sdp: string): Promise<void> {
  const pc = tile.pc;
  if (!pc || pc.signalingState !== "have-local-offer") return; // an answer to an offer we replaced
  try {
    await pc.setRemoteDescription({ type: "answer", sdp });
  } catch {
    // The phone reloaded and answered with a new DTLS identity: start a fresh connection.
    closeTilePc(tile);
    await offer(tile, false);
    return;
  }
  await tile.candidates.flush(pc);
  renderTile(tile);
}

function onSignal(s: IncomingSignal): void {
  if (!current || s.caseId !== current.id || !s.fromPartyId) return;
  const tile = tiles.find((x) => x.partyId === s.fromPartyId);
  if (!tile) return;
  tile.queue.run(async () => {
    if (s.type === "answer" && s.description?.sdp) await onAnswer(tile, s.description.sdp);
    else if (s.type === "candidate") await tile.candidates.add(tile.pc, toIceInit(s.candidate));
    else if (s.type === "hangup") { closeTilePc(tile); renderTile(tile); }
  }, offerError(tile));
}

async function onPeerChanged(p: PeerChanged): Promise<void> {
  if (!current || p.caseId !== current.id) return;
  let tile = tiles.find((x) => x.partyId === p.partyId);
  if (!tile) {
    await watch(); // a party who joined after we opened the case
    tile = tiles.find((x) => x.partyId === p.partyId);
    if (!tile) return;
  }
  tile.online = p.online;
  logEvent("PeerChanged", t(p.online ? "console.event.online" : "console.event.offline", { n: tile.partyNumber }));
  renderTile(tile);
  if (p.online) {
    const tl = tile;
    tl.queue.run(() => offer(tl), offerError(tl));
  }
}

// ---------- evidence and instructions ----------

async function screenshot(tile: Tile): Promise<void> {
  if (!current) return;
  const v = tile.video;
  if (!v.videoWidth) {
    message(t("console.noVideo", { n: tile.partyNumber }));
    return;
  }
  const canvas = el("canvas");
  canvas.width = v.videoWidth;
  canvas.height = v.videoHeight;
  canvas.getContext("2d")?.drawImage(v, 0, 0);
  const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, "image/jpeg", 0.92));
  if (!blob) return;
  const form = new FormData();
  form.append("file", blob, `party-${tile.partyNumber}-${Date.now()}.jpg`);
  form.append("kind", "screenshot");
  form.append("partyId", tile.partyId);
  tile.root.classList.add("flash");
  setTimeout(() => tile.root.classList.remove("flash"), 300);
  message(t("console.saving"));
  try {
    await upload(`/api/cases/${current.id}/evidence`, form);
    message(t("console.screenshotSaved", { n: tile.partyNumber }));
  } catch (e) {
    message(e instanceof ApiError && e.status === 404 ? t("console.evidenceUnavailable") : problem(e));
  }
}

async function instruct(kind: string, partyId: string | null, angle: string | null = null): Promise<boolean> {
  if (!current) return false;
  try {
    await api("POST", `/api/cases/${current.id}/instructions`, { kind, partyId, angle });
    message(t("console.instructionSent"));
    return true;
  } catch (e) {
    message(problem(e));
    return false;
  }
}

async function toggleAudioOnly(tile: Tile): Promise<void> {
  if (await instruct(tile.audioOnly ? "video" : "audio-only", tile.partyId)) {
    tile.audioOnly = !tile.audioOnly;
    renderTile(tile);
  }
}

async function caseAction(method: string, path: string, body?: unknown): Promise<CaseView | null> {
  if (!current) return null;
  try {
    const v = await api<CaseView>(method, `/api/cases/${current.id}/${path}`, body);
    current.status = v.status;
    renderStatus();
    return v;
  } catch (e) {
    message(problem(e));
    return null;
  }
}

/** Weather as printed on the document (the server's list), with the key of its label here. */
const weathers: Array<[string, Key]> = [
  ["晴", "weather.sunny"], ["阴", "weather.overcast"], ["多云", "weather.cloudy"], ["雨", "weather.rain"],
  ["雪", "weather.snow"], ["雾", "weather.fog"], ["霾", "weather.haze"], ["大风", "weather.wind"],
];

function renderWeathers(): void {
  const select = byTestId<HTMLSelectElement>("document-weather");
  const value = select.value;
  select.replaceChildren(...weathers.map(([v, key]) => el("option", { value: v, text: t(key) })));
  if (value) select.value = value;
}

async function issueDocument(): Promise<void> {
  if (!current) return;
  try {
    await api("POST", `/api/cases/${current.id}/document`, { weather: byTestId<HTMLSelectElement>("document-weather").value, mediationResult: null });
    current.status = "awaiting_signatures";
    renderStatus();
    message(t("console.documentIssued"));
  } catch (e) {
    message(problem(e));
  }
}

let scenarios: LiabilityScenario[] = [];

async function loadScenarios(): Promise<void> {
  try {
    scenarios = await api<LiabilityScenario[]>("GET", "/api/liability/scenarios");
  } catch {
    scenarios = [];
  }
  renderScenarios();
}

function renderScenarios(): void {
  const select = byTestId<HTMLSelectElement>("liability-scenario");
  const value = select.value;
  select.replaceChildren(el("option", { value: "", text: t("console.liabilityChoose") }),
    ...scenarios.map((x) => el("option", { value: x.code, text: lang === "en" ? x.nameEn : x.nameZh })));
  select.value = value;
}

async function saveLiability(): Promise<void> {
  const parties = tiles.map((x) => ({ partyId: x.partyId, liability: byTestId<HTMLSelectElement>(`tile-${x.partyNumber}-liability`, x.root).value }));
  const scenario = byTestId<HTMLSelectElement>("liability-scenario").value;
  if (!scenario || parties.some((p) => !p.liability)) {
    message(t("console.liabilityMissing"));
    return;
  }
  const facts = byTestId<HTMLTextAreaElement>("liability-facts").value.trim() || null;
  if (await caseAction("PUT", "liability", { scenario, facts, parties })) message(t("console.liabilitySaved"));
}

function hangUpAll(): void {
  for (const tile of tiles) {
    void send(tile, { type: "hangup", description: null, candidate: null }).catch(() => undefined);
    closeTilePc(tile);
    renderTile(tile);
  }
}

async function endCall(): Promise<void> {
  await instruct("end-call", null);
  hangUpAll();
}

async function closeCase(): Promise<void> {
  if (!(await caseAction("POST", "close"))) return;
  leaveCase("CaseClosed", "console.event.closed");
}

/** After close, escalation or abandonment the case is no longer ours: hang up and clear the panel. */
function leaveCase(event: string, key: Key): void {
  // The parties learn of the change from CaseChanged and end their side; an end-call
  // instruction would be refused once the case is closed.
  hangUpAll();
  const number = current?.caseNumber ?? "";
  current = null;
  tiles = [];
  sessionStorage.removeItem(`${storageKey}.case`);
  byTestId("tiles").replaceChildren();
  byTestId("fraud-signals").hidden = true;
  byTestId("fraud-list").replaceChildren();
  duplicatesBox().replaceChildren();
  byTestId<HTMLDetailsElement>("exits").open = false;
  byTestId("case-detail").hidden = true;
  byTestId("no-case").hidden = false;
  logEvent(event, t(key, { number }));
  renderQueue();
}

function renderExitReasons(): void {
  const fill = (id: string, reasons: readonly string[], prefix: string) => {
    const select = byTestId<HTMLSelectElement>(id);
    const value = select.value;
    select.replaceChildren(el("option", { value: "", text: t("console.reasonChoose") }),
      ...reasons.map((r) => el("option", { value: r, text: t(`${prefix}${r}` as Key) })));
    select.value = value;
  };
  fill("escalate-reason", EscalationReasons, "console.escalation.");
  fill("abandon-reason", AbandonReasons, "console.abandonment.");
}

/** Hands the case to an on-scene officer (injuries found, dispute, …) or ends it (driver left, no answer). */
async function exitCase(kind: "escalate" | "abandon"): Promise<void> {
  const reason = byTestId<HTMLSelectElement>(`${kind}-reason`);
  if (!reason.value) {
    message(t("console.reasonMissing"));
    reason.focus();
    return;
  }
  const body = kind === "escalate"
    ? { reason: reason.value, note: byTestId<HTMLInputElement>("escalate-note").value.trim() || null }
    : { reason: reason.value };
  if (!(await caseAction("POST", kind, body))) return;
  reason.value = "";
  byTestId<HTMLInputElement>("escalate-note").value = "";
  if (kind === "escalate") leaveCase("CaseEscalated", "console.event.escalated");
  else leaveCase("CaseAbandoned", "console.event.abandoned");
}

// ---------- hub ----------

async function connectHub(): Promise<void> {
  const h = buildHub(() => officer?.token ?? null);
  hub = h;
  h.on("QueueChanged", (items: QueueItem[]) => { setQueue(items); boardChanged(); });
  h.on("Signal", onSignal);
  h.on("PeerChanged", (p: PeerChanged) => void onPeerChanged(p));
  h.on("CaseChanged", (c: CaseChanged) => {
    if (current && c.caseId === current.id) { current.status = c.status; renderStatus(); }
    boardChanged();
  });
  h.on("PartyMoved", (p: PartyMoved) => {
    const tile = tiles.find((x) => x.partyId === p.partyId);
    if (!current || p.caseId !== current.id || !tile) return;
    byTestId(`tile-${tile.partyNumber}-moved`, tile.root).hidden = false;
    logEvent("PartyMoved", t("console.event.moved", { n: tile.partyNumber }));
  });
  h.on("EvidenceAdded", (e: EvidenceAdded) => {
    if (!current || e.caseId !== current.id) return;
    const tile = tiles.find((x) => x.partyId === e.partyId);
    if (tile) { tile.evidence++; renderTile(tile); }
    logEvent("EvidenceAdded", t("console.event.evidence", { kind: has(`evidence.${e.kind}`) ? t(`evidence.${e.kind}` as Key) : e.kind, n: tile?.partyNumber ?? "–" }));
  });
  setHubState("connecting");
  const ok = await startHub(h, {
    onReconnecting: () => setHubState("reconnecting"),
    onReconnected: () => { setHubState("connected"); void loadQueue(); void watch(); },
    onDown: () => setHubState("down"),
  });
  setHubState(ok ? "connected" : "down");
}

// ---------- keyboard ----------

function setView(view: "desk" | "board"): void {
  showScreen(view);
  byTestId("views").querySelectorAll<HTMLButtonElement>("button[data-view]").forEach((b) => {
    if (b.dataset.view === view) b.setAttribute("aria-current", "page");
    else b.removeAttribute("aria-current");
  });
  if (view === "board") showBoard();
  else hideBoard();
}

function onKey(e: KeyboardEvent): void {
  if (e.altKey && !e.ctrlKey && !e.metaKey && (e.key === "1" || e.key === "2") && officer) {
    setView(e.key === "1" ? "desk" : "board");
    e.preventDefault();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey || document.body.dataset.screen !== "desk") return;
  const target = e.target as HTMLElement;
  if (target.closest("input, select, textarea")) return;
  const k = e.key.toLowerCase();
  if (k === "a") void acceptNext();
  else if (k === "s" && tiles[selected]) void screenshot(tiles[selected]!);
  else if (k === "m") void instruct("move-cars", null);
  else if (/^[1-5]$/.test(k)) select(Number(k) - 1);
  else return;
  e.preventDefault();
}

// ---------- boot ----------

async function enterDesk(): Promise<void> {
  if (!officer) return;
  setToken(officer.token);
  byTestId("officer-name").textContent = officer.officer.displayName;
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
  mountSignIn("console.signInTitle");
  applyI18n();
  byTestId("lang-switch").addEventListener("click", toggleLang);
  onLangChange(() => {
    renderQueue();
    renderStatus();
    tiles.forEach(renderTile);
    renderScenarios();
    renderWeathers();
    renderExitReasons();
    renderBoardTexts();
    if (hub) setHubState(document.body.dataset.hub as "connected");
  });
  wireSignIn<OfficerSession>({
    storageKey,
    accept: async (r) => ({ token: r.token, officer: r.officer }),
    enter: async (s) => { officer = s; await enterDesk(); },
  });
  byTestId("sign-out").addEventListener("click", () => void signOut(storageKey));
  byTestId("accept-next").addEventListener("click", () => void acceptNext());
  byTestId("instruct-move").addEventListener("click", () => void instruct("move-cars", null));
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
  document.addEventListener("keydown", onKey);
  setInterval(tickQueue, 1000);

  await restoreSession<OfficerSession>(storageKey, async (s) => { officer = s; await enterDesk(); }, () => { officer = null; });
}

void boot();
