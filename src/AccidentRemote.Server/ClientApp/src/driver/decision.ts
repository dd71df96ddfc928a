// The decision in plain words before signing (who is liable, the facts, the right to a review), and
// "I disagree" instead of signing: the objection goes to the officer, the page says it was recorded.
import { api, ApiError } from "../lib/api";
import type { CaseDocumentView, CaseView, LiabilityScenario, SignatureView } from "../lib/contract";
import { byTestId, el } from "../lib/dom";
import { has, lang, setPlain, setText, t, type Key } from "../lib/i18n";
import { problemText } from "./form";
import { state } from "./state";

let scenarios: LiabilityScenario[] | null = null;
let shown: { view: CaseView; doc: CaseDocumentView | null } | null = null;

/** This party on the document the page last read: signed that version, objected to it, or neither. */
export function mine(): SignatureView | null {
  return shown?.doc?.signatures?.find((s) => s.partyId === state.session?.partyId) ?? null;
}

/** Reads the case and the document for the sign card; calls back when this party's standing on it is known. */
export async function loadDecision(then: () => void): Promise<void> {
  if (!state.session) return;
  const caseId = state.session.caseId;
  try {
    const [view, doc] = await Promise.all([
      api<CaseView>("GET", `/api/cases/${caseId}`),
      api<CaseDocumentView>("GET", `/api/cases/${caseId}/document`).catch(() => null),
    ]);
    if (!scenarios) scenarios = await api<LiabilityScenario[]>("GET", "/api/liability/scenarios").catch(() => null);
    if (state.session?.caseId !== caseId) return;
    shown = { view, doc };
    renderDecision();
    then();
  } catch {
    // Offline: the card shows what it had; the next status brings the rest.
  }
}

export function renderDecision(): void {
  if (!shown) return;
  const { view } = shown;
  const you = state.session?.partyId;
  byTestId("decision-parties").replaceChildren(...view.parties.map((p) => {
    // The driver page bundles its own copy of the liability words (the console's liability.* are not in its bundle).
    const key = `decision.liability.${p.liability ?? "undetermined"}`;
    return el("li", { "data-testid": `decision-party-${p.partyNumber}`, "data-liability": p.liability ?? "" },
      el("span", {},
        t("decision.party", { n: p.partyNumber }), " ",
        el("bdi", { class: "plate", text: p.plate }),
        ...(p.id === you ? [" ", el("span", { class: "you", text: t("decision.you") })] : [])),
      el("span", { class: "liab", text: has(key) ? t(key as Key) : (p.liability ?? "") }));
  }));
  byTestId("decision-time").textContent = new Date(view.accidentTime).toLocaleString(lang, { hour12: false, dateStyle: "medium", timeStyle: "short" });
  byTestId("decision-place").textContent = view.location.address
    ?? (view.location.latitude !== null && view.location.longitude !== null ? `${view.location.latitude.toFixed(5)}, ${view.location.longitude.toFixed(5)}` : "—");
  const scenario = scenarios?.find((s) => s.code === view.liabilityScenario);
  const scenarioName = scenario ? (lang === "en" ? scenario.nameEn : scenario.nameZh) : "";
  // The facts as the officer wrote them (their words, not translated), after the scenario's name in the reader's language.
  byTestId("decision-facts").textContent = [scenarioName, view.facts ?? ""].filter((x) => x).join(" — ") || "—";
}

/** The "I disagree" form in place of the signature pad; cancel goes back to signing. */
export function openObjection(open: boolean): void {
  byTestId("sign-part").hidden = open;
  byTestId("objection-form").hidden = !open;
  byTestId("objection-error").hidden = true;
  if (open) byTestId("objection-form").scrollIntoView({ block: "nearest" });
}

export async function submitObjection(ev: Event, recorded: () => void): Promise<void> {
  ev.preventDefault();
  if (!state.session) return;
  const form = byTestId<HTMLFormElement>("objection-form");
  const reasons = [...form.querySelectorAll<HTMLInputElement>("input[name=reason]:checked")].map((x) => x.value);
  const text = byTestId<HTMLTextAreaElement>("objection-text").value.trim() || null;
  const error = byTestId("objection-error");
  if (reasons.length === 0 && !text) {
    setText(error, "objection.empty");
    error.hidden = false;
    return;
  }
  const button = byTestId<HTMLButtonElement>("objection-submit");
  button.disabled = true;
  setText(error, "common.sending");
  error.hidden = false;
  try {
    const doc = await api<CaseDocumentView>("POST", `/api/cases/${state.session.caseId}/objection`, { reasons, text });
    if (shown) shown.doc = doc;
    error.hidden = true;
    recorded();
  } catch (e) {
    // 409 with our objection already on record (another tab, a retry after a lost answer): recorded all the same.
    if (e instanceof ApiError && e.status === 409) await loadDecision(() => undefined);
    if (mine()?.objection) { error.hidden = true; recorded(); return; }
    setPlain(error, e instanceof ApiError && e.status === 429 ? t("objection.tooMany")
      : e instanceof ApiError && e.status === 409 ? t("objection.notNow") : e instanceof ApiError ? problemText(e) : t("error.offline"));
  } finally {
    button.disabled = false;
  }
}

/** Starting over or a new version: nothing of the old decision stays on the card. */
export function resetDecision(): void {
  shown = null;
  byTestId<HTMLFormElement>("objection-form").reset();
  openObjection(false);
}
