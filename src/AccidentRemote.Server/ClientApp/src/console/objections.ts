// A party's "I disagree" with the document, on the open case: pushed (PartyObjected) and read again when the case opens.
import { api } from "../lib/api";
import type { CaseDocumentView, PartyObjected } from "../lib/contract";
import { byTestId, el } from "../lib/dom";
import { has, t, type Key } from "../lib/i18n";
import { logEvent } from "./log";
import { state } from "./state";

interface Shown { partyNumber: number; reasons: string[]; text: string | null }
let shown: Shown[] = [];

export async function loadObjections(caseId: string): Promise<void> {
  let doc: CaseDocumentView | null = null;
  try { doc = await api<CaseDocumentView>("GET", `/api/cases/${caseId}/document`); } catch { doc = null; }
  if (state.current?.id !== caseId) return;
  shown = (doc?.status === "awaiting_signatures" ? doc.signatures ?? [] : [])
    .filter((s) => s.objection && !s.signedAt)
    .map((s) => ({ partyNumber: s.partyNumber, reasons: s.objection!.reasons, text: s.objection!.text }));
  renderObjections();
}

export function onObjection(o: PartyObjected): void {
  if (!state.current || o.caseId !== state.current.id) return;
  shown = [...shown.filter((s) => s.partyNumber !== o.partyNumber), { partyNumber: o.partyNumber, reasons: o.reasons, text: o.text }];
  renderObjections();
  logEvent("PartyObjected", t("console.event.objected", { n: o.partyNumber }));
}

export function renderObjections(): void {
  byTestId("objections").hidden = shown.length === 0;
  byTestId("objection-list").replaceChildren(...shown.map((s) => el("li", { "data-testid": `objection-${s.partyNumber}` },
    el("strong", { text: t("console.objectionParty", { n: s.partyNumber }) }), " ",
    s.reasons.map((r) => has(`objection.reason.${r}`) ? t(`objection.reason.${r}` as Key) : r).join("、"),
    ...(s.text ? [" — ", el("q", { text: s.text })] : []))));
}

export function clearObjections(): void {
  shown = [];
  renderObjections();
}
