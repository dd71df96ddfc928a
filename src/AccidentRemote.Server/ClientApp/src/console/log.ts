// What the console tells the officer: the one-line message under the case, and the event log.
import { byTestId, el } from "../lib/dom";
import { lang, onLangChange } from "../lib/i18n";

export function message(text: string): void {
  byTestId("case-message").textContent = text;
}

/** Each log line keeps how to say it, so a language switch redraws the whole log in the new language. */
interface Entry { item: HTMLElement; at: Date; text: () => string }
const entries: Entry[] = [];

function fill(e: Entry): void {
  e.item.replaceChildren(el("time", { text: e.at.toLocaleTimeString(lang, { hour12: false }) }), " ", e.text());
}

/** Logs an event; pass `() => t(key, vars)` (not a finished string) so the line follows language switches. */
export function logEvent(kind: string, text: string | (() => string)): void {
  const entry: Entry = { item: el("li", { "data-event": kind }), at: new Date(), text: typeof text === "string" ? () => text : text };
  entries.push(entry);
  fill(entry);
  byTestId("event-log").prepend(entry.item);
}

onLangChange(() => entries.forEach((e) => { if (e.item.isConnected) fill(e); }));
