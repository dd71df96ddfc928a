// Safety first: before any data, three questions, one per screen, none preselected (anyone hurt?
// can the cars move? hazardous goods?). An answer that rules out remote handling shows the 122
// advice at once; the driver may still leave the report for the police (the form then posts the
// answers and the server records the case as escalated, as before). Otherwise the data form follows.
import { byTestId, showScreen } from "../lib/dom";
import { setText, type Key } from "../lib/i18n";
import { goStart } from "./callState";
import { consentPayload, withConsent } from "./consent";
import { openForm } from "./form";

interface Answers { anyoneInjured: boolean | null; vehiclesDrivable: boolean | null; hazardousGoods: boolean | null }

const steps = [
  { testId: "triage-injured", key: "anyoneInjured", escalatesOn: true, reason: "injuries" },
  { testId: "triage-drivable", key: "vehiclesDrivable", escalatesOn: false, reason: "vehicles_not_drivable" },
  { testId: "triage-hazardous", key: "hazardousGoods", escalatesOn: true, reason: "hazardous_goods" },
] as const;

let answers: Answers = { anyoneInjured: null, vehiclesDrivable: null, hazardousGoods: null };
let step = 0;

/** The triage part of the report request. */
export function triageAnswers(): Answers {
  return { ...answers };
}

export function startTriage(): void {
  if (!consentPayload()) {
    withConsent(startTriage);
    return;
  }
  answers = { anyoneInjured: null, vehiclesDrivable: null, hazardousGoods: null };
  showStep(0);
}

/** From the data form back to the last question. */
export function backToTriage(): void {
  showStep(steps.length - 1);
}

function showStep(i: number): void {
  step = i;
  steps.forEach((s, n) => {
    const box = byTestId(s.testId);
    box.hidden = n !== i;
    const answer = answers[s.key];
    box.querySelectorAll<HTMLButtonElement>("button[data-answer]").forEach((b) => {
      b.setAttribute("aria-pressed", String(answer !== null && b.dataset.answer === String(answer)));
    });
  });
  setText(byTestId("triage-progress"), "intake.triage.progress", { n: i + 1, total: steps.length });
  showScreen("triage");
  byTestId(steps[i]!.testId).querySelector<HTMLElement>("h1")?.focus({ preventScroll: true });
}

function answer(value: boolean): void {
  const s = steps[step]!;
  answers[s.key] = value;
  // Questions after the answer that decided are not asked: they are left unanswered.
  for (let n = step + 1; n < steps.length; n++) answers[steps[n]!.key] = null;
  if (value === s.escalatesOn) {
    showAdvice(s.reason);
  } else if (step + 1 < steps.length) {
    showStep(step + 1);
  } else {
    void openForm("report");
  }
}

function showAdvice(reason: string): void {
  setText(byTestId("advice"), `intake.advice.${reason}` as Key);
  markReportKept(false);
  showScreen("escalated");
}

/** The escalated screen says the report is kept only once the server has it; before, it offers to leave it. */
export function markReportKept(kept: boolean): void {
  byTestId("escalated-kept").hidden = !kept;
  byTestId("escalated-report").hidden = kept;
}

export function setUpTriage(): void {
  for (const s of steps) {
    const box = byTestId(s.testId);
    box.querySelector("h1")?.setAttribute("tabindex", "-1");
    box.addEventListener("click", (e) => {
      const b = (e.target as HTMLElement).closest<HTMLButtonElement>("button[data-answer]");
      if (b) answer(b.dataset.answer === "true");
    });
  }
  byTestId("triage-back").addEventListener("click", () => (step > 0 ? showStep(step - 1) : goStart()));
  byTestId("escalated-report").addEventListener("click", () => void openForm("report"));
}
