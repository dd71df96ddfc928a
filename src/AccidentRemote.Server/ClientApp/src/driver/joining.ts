// Joining: who joined (the first party can turn a wrong one away), renewing a locked code, possible
// duplicates asked of this party, and following a merge into the other driver's case.
import { api } from "../lib/api";
import type { CaseStatus, CaseView, DuplicateQuestion, JoinInfo, MergedMessage, MyCase } from "../lib/contract";
import { byTestId, showScreen } from "../lib/dom";
import { setText, t, type Key } from "../lib/i18n";
import { enterCase, renderShare } from "./case";
import { dropHub } from "./hubLink";
import { startOver } from "./lifecycle";
import { saveSession, state, type Session } from "./state";

/** The secret of the join link this page was opened with (from the QR code), if any. */
export let linkSecret: string | null = null;
let lastJoin: JoinInfo | null = null;
let questions: DuplicateQuestion[] = [];
let intakeNotice: Key | null = null;

export function renderIntakeNotice(): void {
  const p = byTestId("intake-notice");
  p.hidden = !intakeNotice;
  if (intakeNotice) setText(p, intakeNotice);
}

export async function refreshIntake(): Promise<void> {
  const s = state.session;
  if (!s) return;
  try {
    const info = await api<JoinInfo>("GET", `/api/cases/${s.caseId}/join`);
    if (state.session !== s) return;
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
    if (state.session === s) renderQuestion();
  } catch {
    // Asked again on the next change.
  }
}

/** The first party sees who joined (plate, masked phone) and can turn a wrong one away. */
export function renderJoined(): void {
  const info = lastJoin;
  const card = byTestId("joined-card");
  const others = info?.parties.filter((p) => p.partyId !== state.session?.partyId) ?? [];
  card.hidden = state.session?.partyNumber !== 1 || others.length === 0;
  byTestId("join-locked").hidden = !info?.locked;
  byTestId("join-renew").hidden = state.session?.partyNumber !== 1 || !info?.locked;
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
  if (!state.session) return;
  try {
    await api<JoinInfo>("POST", `/api/cases/${state.session.caseId}/parties/${partyId}/reject`);
  } finally {
    void refreshIntake();
  }
}

export async function renewJoin(): Promise<void> {
  if (!state.session) return;
  try {
    await api<JoinInfo>("POST", `/api/cases/${state.session.caseId}/join/renew`);
  } finally {
    void refreshIntake();
  }
}

/** "京M99999 says it was in your accident: is that right?", asked of this party only. */
export function renderQuestion(): void {
  const q = questions[0];
  const card = byTestId("duplicate-card");
  card.hidden = !q;
  if (!q) return;
  card.dataset.linkId = q.linkId;
  setText(byTestId("duplicate-question"), "duplicate.question", { plate: q.plate });
}

export async function answerQuestion(confirm: boolean): Promise<void> {
  const q = questions[0];
  if (!state.session || !q) return;
  try {
    await api("POST", `/api/cases/${state.session.caseId}/duplicates/${q.linkId}/answer`, { confirm });
  } catch {
    // Decided by the officer meanwhile, or the case is full: the list below says what is left.
  }
  questions = questions.slice(1);
  renderQuestion();
  void refreshIntake();
}

/** The other driver confirmed: this party's token now opens their case. Follow it without a reload. */
export async function onMerged(m: MergedMessage): Promise<void> {
  if (!state.session || m.fromCaseId !== state.session.caseId || m.partyId !== state.session.partyId) return;
  await moveTo({ ...state.session, caseId: m.caseId, caseNumber: m.caseNumber, partyNumber: m.partyNumber, joinCode: null, joinSecret: null });
}

export async function followMerge(s: Session): Promise<boolean> {
  try {
    const mine = await api<MyCase>("GET", "/api/cases/mine");
    if (mine.caseId === s.caseId) return false;
    await moveTo({ ...s, caseId: mine.caseId, caseNumber: mine.caseNumber, partyNumber: mine.partyNumber, joinCode: null, joinSecret: null });
    return true;
  } catch {
    return false;
  }
}

export async function moveTo(s: Session): Promise<void> {
  // A new hub connection: the server puts it in the groups of the case the token opens now.
  dropHub(false);
  intakeNotice = "merged.notice";
  lastJoin = null;
  let status: CaseStatus = "queued";
  try {
    status = (await api<CaseView>("GET", `/api/cases/${s.caseId}`)).status;
  } catch {
    // Offline: the hub's resync tells.
  }
  await enterCase(s, status);
}

export function onRejected(): void {
  startOver();
  byTestId("advice").textContent = t("rejected.notice");
  showScreen("escalated");
}

export function setIntakeNotice(key: Key | null): void {
  intakeNotice = key;
}

/** The join link's secret (from the QR code), kept in memory for the join request. */
export function setLinkSecret(secret: string): void {
  linkSecret = secret;
}
