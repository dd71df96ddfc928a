// The case's exits other than closing: escalate to an on-scene officer or abandon, each with a reason.
import { byTestId, el } from "../lib/dom";
import { t, type Key } from "../lib/i18n";
import { AbandonReasons, EscalationReasons } from "../lib/contract";
import { caseAction, leaveCase } from "./case";
import { message } from "./log";

export function renderExitReasons(): void {
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
export async function exitCase(kind: "escalate" | "abandon"): Promise<void> {
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
