// 长辈模式 (large type, bigger targets, secondary text hidden) and a high-contrast mode for
// sunlight, in the spirit of the national 互联网应用适老化 rules. Each is a flag on <html>
// (data-elder, data-contrast) that driver.css follows, toggled from the start screen or the
// header and remembered in localStorage. Applied first thing in boot(), while every screen is
// still hidden, so no content is laid out twice.
import { byTestId } from "../lib/dom";

type Mode = "elder" | "contrast";
const storageKey = (m: Mode) => `ar.display.${m}`;
const toggles: Record<Mode, string[]> = { elder: ["start-elder", "header-elder"], contrast: ["start-contrast", "header-contrast"] };

function stored(m: Mode): boolean {
  try {
    return localStorage.getItem(storageKey(m)) === "on";
  } catch {
    return false;
  }
}

function apply(m: Mode, on: boolean): void {
  if (on) document.documentElement.dataset[m] = "on";
  else delete document.documentElement.dataset[m];
  for (const id of toggles[m]) byTestId(id).setAttribute("aria-pressed", String(on));
}

function toggle(m: Mode): void {
  const on = document.documentElement.dataset[m] !== "on";
  try {
    if (on) localStorage.setItem(storageKey(m), "on");
    else localStorage.removeItem(storageKey(m));
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  apply(m, on);
}

export function setUpDisplayModes(): void {
  for (const m of ["elder", "contrast"] as const) {
    apply(m, stored(m));
    for (const id of toggles[m]) byTestId(id).addEventListener("click", () => toggle(m));
  }
}
