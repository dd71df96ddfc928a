// Liability and the document: the scenario and each party's share, then the 事故认定书 issued
// with the weather for the parties to sign.
import { api } from "../lib/api";
import type { LiabilityScenario } from "../lib/contract";
import { byTestId, el } from "../lib/dom";
import { lang, t, type Key } from "../lib/i18n";
import { problem } from "../lib/staff";
import { caseAction, loadSignatures } from "./case";
import { message } from "./log";
import { setCaseStatus, state } from "./state";

let scenarios: LiabilityScenario[] = [];

export async function loadScenarios(): Promise<void> {
  try {
    scenarios = await api<LiabilityScenario[]>("GET", "/api/liability/scenarios");
  } catch {
    scenarios = [];
  }
  renderScenarios();
}

export function renderScenarios(): void {
  const select = byTestId<HTMLSelectElement>("liability-scenario");
  const value = select.value;
  select.replaceChildren(el("option", { value: "", text: t("console.liabilityChoose") }),
    ...scenarios.map((x) => el("option", { value: x.code, text: lang === "en" ? x.nameEn : x.nameZh })));
  select.value = value;
}

export async function saveLiability(): Promise<void> {
  const parties = state.tiles.map((x) => ({ partyId: x.partyId, liability: byTestId<HTMLSelectElement>(`tile-${x.partyNumber}-liability`, x.root).value }));
  const scenario = byTestId<HTMLSelectElement>("liability-scenario").value;
  if (!scenario || parties.some((p) => !p.liability)) {
    message(t("console.liabilityMissing"));
    return;
  }
  const facts = byTestId<HTMLTextAreaElement>("liability-facts").value.trim() || null;
  if (await caseAction("PUT", "liability", { scenario, facts, parties })) message(t("console.liabilitySaved"));
}

/** Weather as printed on the document (the server's list), with the key of its label here. */
const weathers: Array<[string, Key]> = [
  ["晴", "weather.sunny"], ["阴", "weather.overcast"], ["多云", "weather.cloudy"], ["雨", "weather.rain"],
  ["雪", "weather.snow"], ["雾", "weather.fog"], ["霾", "weather.haze"], ["大风", "weather.wind"],
];

export function renderWeathers(): void {
  const select = byTestId<HTMLSelectElement>("document-weather");
  const value = select.value;
  select.replaceChildren(...weathers.map(([v, key]) => el("option", { value: v, text: t(key) })));
  if (value) select.value = value;
}

export async function issueDocument(): Promise<void> {
  if (!state.current) return;
  try {
    await api("POST", `/api/cases/${state.current.id}/document`, { weather: byTestId<HTMLSelectElement>("document-weather").value, mediationResult: null });
    setCaseStatus("awaiting_signatures");
    message(t("console.documentIssued"));
    void loadSignatures();
  } catch (e) {
    message(problem(e));
  }
}
