// Possible duplicates: the other report beside the open case, merge or keep apart.
import { api } from "../lib/api";
import type { DuplicateView } from "../lib/contract";
import { byTestId, el } from "../lib/dom";
import { lang, t } from "../lib/i18n";
import { problem } from "../lib/staff";
import { logEvent, message } from "./log";
import { loadQueue } from "./queue";
import { state } from "./state";

function duplicatesBox(): HTMLElement {
  let box = document.querySelector<HTMLElement>("[data-testid=duplicates]");
  if (!box) {
    box = el("div", { class: "fraud", "data-testid": "duplicates", role: "note" });
    byTestId("fraud-signals").after(box);
  }
  return box;
}

export async function loadDuplicates(caseId: string): Promise<void> {
  let links: DuplicateView[] = [];
  try {
    links = (await api<DuplicateView[]>("GET", `/api/cases/${caseId}/duplicates`)).filter((d) => d.status === "pending");
  } catch {
    // Shown again when the case is opened.
  }
  if (state.current?.id !== caseId) return;
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

/** Empties the box when the case is left. */
export function clearDuplicates(): void {
  duplicatesBox().replaceChildren();
}

async function decideDuplicate(caseId: string, linkId: string, action: "merge" | "keep-apart"): Promise<void> {
  try {
    await api("POST", `/api/cases/${caseId}/duplicates/${linkId}/${action}`);
    logEvent("duplicate", () => t(action === "merge" ? "console.duplicateMerged" : "console.duplicateKept"));
  } catch (e) {
    message(problem(e));
  }
  void loadDuplicates(caseId);
  void loadQueue();
}
