// A fraud signal in the page's language: our short name for its code, and its facts said by
// fraudDetail.<code> (data-i18n, so a language switch redraws it); the server's English
// description only for a code this page does not know.
import type { FraudSignal } from "./contract";
import { el } from "./dom";
import { has, t, type Key } from "./i18n";

export function fraudParts(f: FraudSignal): Array<HTMLElement | string> {
  const nameKey = `fraud.${f.code}`;
  const name = has(nameKey) ? el("strong", { "data-i18n": nameKey, text: t(nameKey) }) : el("strong", { text: f.code });
  const detailKey = `fraudDetail.${f.code}`;
  if (f.facts && has(detailKey)) {
    const vars = f.facts;
    return [name, " ", el("span", { "data-testid": "fraud-detail", "data-i18n": detailKey, "data-i18n-vars": JSON.stringify(vars), text: t(detailKey as Key, vars) })];
  }
  return [name, " ", el("span", { "data-testid": "fraud-detail", text: f.description })];
}
