// The live queue: the waiting cases with their waiting times, accept (a button or key A for the
// next one), and marking a report as abuse.
import { api, ApiError } from "../lib/api";
import type { QueueItem } from "../lib/contract";
import { byTestId, el, minutesSeconds } from "../lib/dom";
import { t } from "../lib/i18n";
import { problem } from "../lib/staff";
import { openCase } from "./case";
import { message } from "./log";
import { renderGates } from "./gates";
import { state } from "./state";

export function setQueue(items: QueueItem[]): void {
  state.queue = items;
  state.queueAt = Date.now();
  renderQueue();
}

export function renderQueue(): void {
  const { queue, current } = state;
  const list = byTestId("queue-list");
  byTestId("queue-count").textContent = String(queue.length);
  byTestId("queue-empty").hidden = queue.length > 0;
  byTestId<HTMLButtonElement>("accept-next").disabled = queue.length === 0 || current !== null;
  list.replaceChildren(...queue.map((q) => {
    const accept = el("button", { type: "button", "data-testid": "queue-accept", text: t("console.accept") });
    accept.addEventListener("click", () => void acceptCase(q.caseId));
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
  renderGates();
}

/** Waiting times count up every second between pushes, from the server's figure at the last push. */
export function tickQueue(): void {
  const elapsed = (Date.now() - state.queueAt) / 1000;
  byTestId("queue-list").querySelectorAll<HTMLElement>("[data-testid=queue-wait]").forEach((w) => {
    const s = Number(w.dataset.waiting) + elapsed;
    w.textContent = minutesSeconds(s);
    w.classList.toggle("late", s > 60);
  });
}

export async function loadQueue(): Promise<void> {
  try {
    setQueue(await api<QueueItem[]>("GET", "/api/queue"));
  } catch (e) {
    message(problem(e));
  }
}

export async function acceptNext(): Promise<void> {
  if (state.current) return;
  for (const q of [...state.queue]) {
    if (await acceptCase(q.caseId, true)) return;
  }
}

/** A waiting report that is abuse: closed (abandoned, reason abuse) and its reporting client blocked for a while (POST /api/cases/{id}/abuse). */
async function markAbuse(caseId: string, caseNumber: string): Promise<void> {
  if (!window.confirm(t("console.abuseConfirm", { number: caseNumber }))) return;
  try {
    await api("POST", `/api/cases/${caseId}/abuse`);
    message(t("console.abuseDone", { number: caseNumber }));
  } catch (e) {
    message(problem(e));
  }
  dropFromQueue(caseId);
}

/** Accepts a case; false when another officer was faster (409) so the next one can be tried. */
async function acceptCase(caseId: string, quiet = false): Promise<boolean> {
  if (state.current) return false;
  try {
    await api("POST", `/api/cases/${caseId}/accept`);
  } catch (e) {
    if (!quiet || !(e instanceof ApiError) || e.status !== 409) message(problem(e));
    dropFromQueue(caseId);
    return false;
  }
  await openCase(caseId);
  return true;
}

function dropFromQueue(caseId: string): void {
  state.queue = state.queue.filter((q) => q.caseId !== caseId);
  renderQueue();
}
