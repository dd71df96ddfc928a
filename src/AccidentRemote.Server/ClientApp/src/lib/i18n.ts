// Every visible string comes from i18n/zh-CN.json or i18n/en.json (same keys; build.mjs checks).
// zh-CN is the default; the choice is remembered in localStorage.
import zh from "../i18n/zh-CN.json";
import en from "../i18n/en.json";

export type Key = keyof typeof zh & string;
export type Lang = "zh-CN" | "en";

const dictionaries: Record<Lang, Record<Key, string>> = { "zh-CN": zh, en };
const storageKey = "ar.lang";

function initialLang(): Lang {
  try {
    return localStorage.getItem(storageKey) === "en" ? "en" : "zh-CN";
  } catch {
    return "zh-CN";
  }
}

export let lang: Lang = initialLang();

/** The string for key, with {name} placeholders filled from vars. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  const s = dictionaries[lang][key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : s;
}

export function has(key: string): key is Key {
  return key in dictionaries[lang];
}

/** Fills data-i18n (text), data-i18n-placeholder, data-i18n-aria (aria-label) and data-i18n-title below root. */
export function applyI18n(root: ParentNode = document): void {
  document.documentElement.lang = lang;
  root.querySelectorAll<HTMLElement>("[data-i18n]").forEach((el) => {
    el.textContent = t(el.dataset.i18n as Key, el.dataset.i18nVars ? (JSON.parse(el.dataset.i18nVars) as Record<string, string | number>) : undefined);
  });
  root.querySelectorAll<HTMLInputElement>("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder as Key); });
  root.querySelectorAll<HTMLElement>("[data-i18n-aria]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.i18nAria as Key)));
  root.querySelectorAll<HTMLElement>("[data-i18n-title]").forEach((el) => { el.title = t(el.dataset.i18nTitle as Key); });
}

/** Sets a translated text that follows later language switches; setPlain for text that is not ours. */
export function setText(el: HTMLElement, key: Key, vars?: Record<string, string | number>): void {
  el.dataset.i18n = key;
  if (vars) el.dataset.i18nVars = JSON.stringify(vars);
  else delete el.dataset.i18nVars;
  el.textContent = t(key, vars);
}

export function setPlain(el: HTMLElement, text: string): void {
  delete el.dataset.i18n;
  delete el.dataset.i18nVars;
  el.textContent = text;
}

const listeners: Array<() => void> = [];

/** Called after the language changes (and the static strings are redone), to redraw dynamic text. */
export function onLangChange(fn: () => void): void {
  listeners.push(fn);
}

export function setLang(next: Lang): void {
  lang = next;
  try {
    localStorage.setItem(storageKey, next);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  applyI18n();
  listeners.forEach((fn) => fn());
}

export function toggleLang(): void {
  setLang(lang === "zh-CN" ? "en" : "zh-CN");
}
