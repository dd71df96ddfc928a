// What a tap is doing, for every action on the driver's page that talks to the server: "sending…"
// at once, "sent" when it went through, "failed — try again" (with a retry button) on an error or
// when nothing came back in time. A weak network must never leave a greyed-out button and silence.
// The status element gets data-action = sending / sent / failed (tests read it); the retry button
// is <button data-testid="<status's testid>-retry"> right after it.
import { ApiError } from "../lib/api";
import { byTestId } from "../lib/dom";
import { setPlain, setText, t, type Key } from "../lib/i18n";

/** No answer within this time counts as failed: the driver may try again (the request itself may still arrive). */
export const actionTimeoutMs = 8000;

export interface Action {
  /** The status line (a data-testid) that says sending / sent / failed. */
  status: string;
  /** The button that started it: disabled while sending. */
  button?: HTMLButtonElement;
  /** What "sent" says (default "Sent ✓"). */
  sent?: Key;
  /** What "sending" says (default "Sending…"). */
  sending?: Key;
  /** The work. Calls `alive()` on progress (an upload), which restarts the no-answer timer. */
  run: (alive: () => void) => Promise<void>;
  /** After it went through (also through a retry): what the page does next. */
  done?: () => void;
  /** After it failed (also a retry). */
  failed?: () => void;
  /** A failure the caller shows itself (e.g. per-field errors): return true and no "failed" line is shown. */
  handled?: (e: unknown) => boolean;
  /** The text of a failure; default: the server's problem, or "not sent". */
  failure?: (e: unknown) => string | null;
}

/** Runs an action with its status; resolves true when it went through. */
export async function runAction(a: Action): Promise<boolean> {
  const status = byTestId(a.status);
  const attempt = Symbol("attempt");
  attempts.set(a.status, attempt);
  const current = () => attempts.get(a.status) === attempt;
  removeRetry(status);
  status.dataset.action = "sending";
  setText(status, a.sending ?? "action.sending");
  if (a.button) a.button.disabled = true;
  let timer = 0;
  const alive = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => { if (current() && status.dataset.action === "sending") fail(a, status, null, "action.timeout"); }, actionTimeoutMs);
  };
  alive();
  try {
    await a.run(alive);
    window.clearTimeout(timer);
    // Also when the timer already said "failed": it did arrive after all.
    if (current()) {
      removeRetry(status);
      status.dataset.action = "sent";
      setText(status, a.sent ?? "action.sent");
      a.done?.();
    }
    return true;
  } catch (e) {
    window.clearTimeout(timer);
    if (current()) {
      if (a.handled?.(e)) {
        removeRetry(status);
        delete status.dataset.action;
        setPlain(status, "");
      } else {
        fail(a, status, e, "action.failed");
      }
      a.failed?.();
    }
    return false;
  } finally {
    if (a.button && current()) a.button.disabled = false;
  }
}

const attempts = new Map<string, symbol>();

function fail(a: Action, status: HTMLElement, e: unknown, key: Key): void {
  status.dataset.action = "failed";
  if (a.button) a.button.disabled = false;
  const custom = e === null ? null : a.failure?.(e) ?? serverText(e);
  if (custom) setPlain(status, `${custom} ${t("action.failed")}`);
  else setText(status, key);
  if (!status.nextElementSibling?.matches(`[data-testid="${a.status}-retry"]`)) {
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "btn secondary retry";
    retry.dataset.testid = `${a.status}-retry`;
    setText(retry, "action.retry");
    retry.addEventListener("click", () => void runAction(a));
    status.after(retry);
  }
  // The driver must see it: in view above the fixed call bar (scroll-margin in driver.css).
  if (!status.closest(".call-bar")) status.nextElementSibling?.scrollIntoView({ block: "nearest" });
}

function removeRetry(status: HTMLElement): void {
  const next = status.nextElementSibling;
  if (next?.matches(`[data-testid="${status.dataset.testid ?? ""}-retry"]`)) next.remove();
}

/** The server's own words for a refusal (a 4xx ProblemDetails); null when there was no answer. */
function serverText(e: unknown): string | null {
  if (!(e instanceof ApiError) || e.offline || e.status >= 500) return null;
  return e.detail ?? e.title;
}
