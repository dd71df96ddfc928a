// The report and join form: fields, the insurer the policy data suggests, the server's errors on
// the fields, location; submitting enters the case. problemText() is the page's one wording of a
// refused request, which the other sections use too.
import { api, ApiError } from "../lib/api";
import type { Insurer, JoinResponse, ReportResponse } from "../lib/contract";
import { VehicleTypes } from "../lib/contract";
import { byTestId, showScreen } from "../lib/dom";
import { has, lang, setPlain, setText, t, type Key } from "../lib/i18n";
import { enterCase } from "./case";
import { consentPayload, withConsent } from "./consent";
import { linkSecret, setIntakeNotice } from "./joining";
import { state } from "./state";
import { markReportKept, triageAnswers } from "./triage";

type FormMode = "report" | "join";
let formMode: FormMode = "report";
export const currentFormMode = (): FormMode => formMode;
let coords: { latitude: number; longitude: number } | null = null;

export const form = () => byTestId<HTMLFormElement>("case-form");
const field = <T extends HTMLElement>(name: string) => form().elements.namedItem(name) as T;

function localNow(): string {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

export async function openForm(mode: FormMode, joinCode?: string): Promise<void> {
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
  if (!state.insurers) {
    try {
      state.insurers = await api<Insurer[]>("GET", "/api/insurers");
    } catch {
      state.insurers = []; // "don't know" stays possible
    }
    renderSelects();
  }
}

export function renderFormTexts(): void {
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
    ...(state.insurers ?? []).map((i) => new Option(lang === "en" ? i.nameEn : i.nameZh, i.code)));
  ins.value = insValue;
}

// The insurer from the insurers' policy data, for this party's OWN plate only: asked with the party
// token once the report exists (GET /api/cases/{id}/insurer-suggestion), so that nobody can ask
// which insurer covers a stranger's plate. Offered only when the driver chose "I don't know"; the
// insurer is preselected and recorded only when the driver confirms it (PUT .../parties/me/insurer).
// 404 (nothing to suggest, insurer already chosen) and a failed request say nothing.
let suggestion: { caseId: string; code: string } | null = null;

export async function suggestInsurer(): Promise<void> {
  const s = state.session;
  const card = byTestId("insurer-card");
  card.hidden = true;
  suggestion = null;
  if (!s) return;
  let code: string | null = null;
  try {
    code = (await api<{ insurerCode: string }>("GET", `/api/cases/${s.caseId}/insurer-suggestion`))?.insurerCode ?? null;
    if (!state.insurers) state.insurers = await api<Insurer[]>("GET", "/api/insurers");
  } catch {
    code = null;
  }
  if (state.session !== s || !code || !state.insurers?.some((i) => i.code === code)) return;
  suggestion = { caseId: s.caseId, code };
  renderInsurerCard();
  byTestId<HTMLSelectElement>("insurer-confirm-select").value = code;
  byTestId("insurer-confirm-status").textContent = "";
  card.hidden = false;
}

export function renderInsurerCard(): void {
  if (!suggestion) return;
  const select = byTestId<HTMLSelectElement>("insurer-confirm-select");
  const value = select.value || suggestion.code;
  select.replaceChildren(...(state.insurers ?? []).map((i) => new Option(lang === "en" ? i.nameEn : i.nameZh, i.code)));
  select.value = value;
}

/** Starting over: the card and its suggestion belong to the old case. */
export function resetInsurerCard(): void {
  suggestion = null;
  byTestId("insurer-card").hidden = true;
}

export async function confirmInsurer(): Promise<void> {
  if (!suggestion) return;
  const button = byTestId<HTMLButtonElement>("insurer-confirm");
  const status = byTestId("insurer-confirm-status");
  button.disabled = true;
  try {
    await api("PUT", `/api/cases/${suggestion.caseId}/parties/me/insurer`, { insurerCode: byTestId<HTMLSelectElement>("insurer-confirm-select").value });
    suggestion = null;
    byTestId("insurer-card").hidden = true;
  } catch (e) {
    status.textContent = e instanceof ApiError && e.title ? [e.title, e.detail].filter(Boolean).join(" ") : t("insurerCheck.failed");
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

/** The server's message for the field, in the page's language (the request's Accept-Language); our hint if it sent none. */
function fieldMessage(key: string, serverText: string): string {
  const k = `error.${key}`;
  return serverText || !has(k) ? serverText : t(k);
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
    const more = slot.closest("details");
    if (more) more.open = true;
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

export function problemText(e: ApiError): string {
  if (e.offline) return t("error.offline");
  if (e.status === 429) return t("error.tooMany");
  if (formMode === "join" && e.status === 423) return t("error.joinLocked");
  // The server answers in the page's language (Accept-Language) and names no internals: its words, else ours.
  return [e.title, e.detail].filter(Boolean).join(" ") || t("error.server", { status: e.status });
}

function radio(name: string): string | null {
  return form().querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? null;
}

function text(name: string): string | null {
  const v = field<HTMLInputElement>(name).value.trim();
  return v === "" ? null : v;
}

export async function submitForm(ev: Event): Promise<void> {
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
        triage: triageAnswers(),
        consent: consentPayload(),
      });
      if (r.escalated) {
        setPlain(byTestId("advice"), r.advice ?? t("escalated.generic"));
        markReportKept(true);
        showScreen("escalated");
        return;
      }
      setIntakeNotice(r.possibleDuplicate ? "duplicate.possible" : null);
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

export function locate(): void {
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
