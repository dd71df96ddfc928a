// What the console tells the officer: the one-line message under the case, and the event log.
import { byTestId, el } from "../lib/dom";
import { lang } from "../lib/i18n";

export function message(text: string): void {
  byTestId("case-message").textContent = text;
}

export function logEvent(kind: string, text: string): void {
  const time = new Date().toLocaleTimeString(lang, { hour12: false });
  const item = el("li", { "data-event": kind }, el("time", { text: time }), " ", text);
  byTestId("event-log").prepend(item);
}
