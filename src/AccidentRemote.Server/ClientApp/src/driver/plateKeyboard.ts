// A plate keyboard, as 交管12123 has: first the province abbreviations (no pinyin input needed for
// "京"), then letters without I and O, digits, and 挂/学/警/港/澳 only where the server's plate rule
// (Cases/CaseRules.cs) allows them. A key is enabled only if some valid plate starts with what is
// typed plus that key. The input stays an ordinary text field: typing works as before.
import { el } from "../lib/dom";
import { setText, t } from "../lib/i18n";

const provinces = [..."京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"];
const letters = [..."ABCDEFGHJKLMNPQRSTUVWXYZ"];
const digits = [..."0123456789"];
const trailing = [..."挂学警港澳"];

// The three plate shapes of CaseRules, one character class per position.
const P = new Set(provinces);
const L = new Set(letters);
const D = new Set(digits);
const A = new Set([...letters, ...digits]);
const DF = new Set(["D", "F"]);
const AT = new Set([...letters, ...digits, ...trailing]);
const shapes: ReadonlyArray<ReadonlyArray<Set<string>>> = [
  [P, L, A, A, A, A, AT], // ordinary: 京A12345, 粤B1234学
  [P, L, DF, A, D, D, D, D], // small new-energy: 京AD12345
  [P, L, D, D, D, D, D, DF], // large new-energy: 京A12345D
];

export function normalize(value: string): string {
  return [...value].filter((c) => !/\s/.test(c) && !"·•.-".includes(c)).join("").toUpperCase();
}

/** Whether some valid plate begins with prefix. */
export function canStart(prefix: string): boolean {
  const chars = [...prefix];
  return shapes.some((shape) => chars.length <= shape.length && chars.every((c, i) => shape[i]!.has(c)));
}

const inputOf = (panel: HTMLElement) => document.querySelector<HTMLInputElement>(`input[name="${panel.dataset.plateInput}"]`)!;
const toggleOf = (panel: HTMLElement) => document.querySelector<HTMLButtonElement>(`.kb-toggle[data-plate-input="${panel.dataset.plateInput}"]`)!;
const panels = () => [...document.querySelectorAll<HTMLElement>(".plate-kb")];

let showProvinces = false;

function key(label: string, attrs: Record<string, string>, disabled = false): HTMLButtonElement {
  const b = el("button", { type: "button", class: "key", ...attrs }, label);
  b.disabled = disabled;
  return b;
}

function render(panel: HTMLElement): void {
  const value = normalize(inputOf(panel).value);
  const provinceStep = showProvinces || value === "";
  const title = el("p", { class: "kb-title" });
  setText(title, provinceStep ? "intake.plate.provinces" : "intake.plate.characters");
  const keys = el("div", { class: "keys", role: "group" });
  if (provinceStep) {
    keys.append(...provinces.map((p) => key(p, { "data-key": p })));
  } else {
    for (const k of [...digits, ...letters, ...trailing]) keys.append(key(k, { "data-key": k }, !canStart(value + k)));
    keys.append(key(t("intake.plate.province"), { "data-action": "province", class: "key wide" }));
  }
  keys.append(
    key(t("intake.plate.backspace"), { "data-action": "backspace", class: "key wide", "data-testid": `${panel.dataset.testid}-backspace` }, value === ""),
    key(t("intake.plate.done"), { "data-action": "done", class: "key wide primary", "data-testid": `${panel.dataset.testid}-done` }),
  );
  panel.dataset.step = provinceStep ? "province" : "characters";
  panel.replaceChildren(title, keys);
}

function open(panel: HTMLElement, on: boolean): void {
  for (const other of panels()) {
    const show = on && other === panel;
    other.hidden = !show;
    toggleOf(other).setAttribute("aria-expanded", String(show));
  }
  showProvinces = false;
  if (on) {
    render(panel);
    panel.scrollIntoView({ block: "nearest" });
  }
}

function press(panel: HTMLElement, button: HTMLButtonElement): void {
  const input = inputOf(panel);
  let value = normalize(input.value);
  const action = button.dataset.action;
  if (action === "done") {
    open(panel, false);
    toggleOf(panel).focus();
    return;
  }
  if (action === "province") {
    showProvinces = true;
    render(panel);
    return;
  }
  if (action === "backspace") {
    value = [...value].slice(0, -1).join("");
  } else if (button.dataset.key) {
    const k = button.dataset.key;
    if (showProvinces && value !== "") value = P.has([...value][0]!) ? k + [...value].slice(1).join("") : k + value;
    else value += k;
    showProvinces = false;
  }
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  render(panel);
}

export function renderPlateKeyboards(): void {
  for (const panel of panels()) {
    const label = document.querySelector(`label[for="${inputOf(panel).id}"]`)?.textContent ?? "";
    toggleOf(panel).setAttribute("aria-label", t("intake.plate.keyboardFor", { field: label }));
    if (!panel.hidden) render(panel);
  }
}

/** Closes the keyboards (a new form). */
export function closePlateKeyboards(): void {
  for (const panel of panels()) open(panel, false);
}

export function setUpPlateKeyboards(): void {
  for (const panel of panels()) {
    toggleOf(panel).addEventListener("click", () => open(panel, panel.hidden !== false));
    // Keys do not take the focus from where it is, so the phone's own keyboard does not open.
    panel.addEventListener("mousedown", (e) => e.preventDefault());
    panel.addEventListener("click", (e) => {
      const b = (e.target as HTMLElement).closest<HTMLButtonElement>("button.key");
      if (b && !b.disabled) press(panel, b);
    });
    inputOf(panel).addEventListener("input", (e) => { if (e.isTrusted && !panel.hidden) render(panel); });
  }
  renderPlateKeyboards();
}
