// The case as the waiting driver sees it: entering a case (after a report, a join, a reload or a
// merge), the status line and the screens each status leads to, the queue position, the join code.
import { api, ApiError, blobUrl, setToken } from "../lib/api";
import type { CaseStatus, QueuePosition } from "../lib/contract";
import { byTestId, showScreen } from "../lib/dom";
import { has, setText, t, type Key } from "../lib/i18n";
import { endCall, enterCall, loadAbandonReason } from "./call";
import { suggestInsurer } from "./form";
import { connectHub } from "./hubLink";
import { refreshIntake, renderIntakeNotice } from "./joining";
import { checkMediaPermission } from "./media";
import { caseStatus, isOver, isWaiting, saveSession, setStatus, state, type Session } from "./state";

export async function enterCase(s: Session, status: CaseStatus): Promise<void> {
  state.session = s;
  saveSession(s);
  setToken(s.token);
  state.ended = false;
  byTestId("case-number").textContent = s.caseNumber;
  renderShare();
  renderIntakeNotice();
  setStatus(status);
  if (!isOver(status)) void connectHub();
  void refreshIntake();
  if (isWaiting(status)) void refreshQueuePosition();
  void checkMediaPermission();
  void suggestInsurer();
}

export function renderStatusText(): void {
  byTestId("case-status").textContent = has(`status.${caseStatus()}`) ? t(`status.${caseStatus()}` as Key) : caseStatus();
}

/** The screen each status leads to (a status subscriber). */
export function followStatus(status: CaseStatus): void {
  switch (status) {
    case "reported":
    case "queued":
      if (!state.inCall) showScreen("waiting");
      break;
    case "in_call":
    case "vehicles_moved":
    case "liability_determined":
    case "awaiting_signatures":
      if (!state.ended) enterCall();
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
}

export async function refreshQueuePosition(): Promise<void> {
  if (!state.session) return;
  try {
    showQueue(await api<QueuePosition>("GET", `/api/cases/${state.session.caseId}/queue-position`));
  } catch {
    setText(byTestId("queue-wait"), "waiting.unknown");
  }
}

let lastQueue: QueuePosition | null = null;

export function renderQueue(): void {
  if (lastQueue) showQueue(lastQueue);
}

export function showQueue(q: QueuePosition): void {
  lastQueue = q;
  setText(byTestId("queue-position"), "waiting.position", { n: q.position });
  byTestId("queue-position").dataset.position = String(q.position);
  if (q.expectedWaitSeconds < 60) setText(byTestId("queue-wait"), "waiting.lessThanMinute");
  else setText(byTestId("queue-wait"), "waiting.expected", { minutes: Math.ceil(q.expectedWaitSeconds / 60) });
}

export function renderShare(): void {
  const s = state.session;
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

export async function share(): Promise<void> {
  const url = byTestId<HTMLAnchorElement>("share-link").href;
  try {
    if (navigator.share) await navigator.share({ title: t("app.name"), text: t("share.text", { code: state.session?.joinCode ?? "" }), url });
    else await navigator.clipboard.writeText(url);
    setText(byTestId("share-button"), "share.copied");
  } catch {
    // Cancelled by the user.
  }
}
