// The open case against the centre's targets, counted as the KPI board counts them (Kpis/KpiCalculator.cs):
// answer = accepted − reported (1 min), move = cars moved − reported (4 min), close = closed − reported
// (15 min). A step not done yet counts on from the report, every second. Green within the target, amber
// up to 1.5× it, red beyond (the board's rule for a median). Times are the server's; the page's clock
// is corrected by the hub's Ping (server time) so a wrong desk clock does not show a wrong level.
import type { CaseTimes } from "../lib/contract";
import { byTestId, minutesSeconds } from "../lib/dom";
import { t, type Key } from "../lib/i18n";
import { state } from "./state";

export const Targets = { answer: 60, move: 4 * 60, close: 15 * 60 } as const;
type Step = keyof typeof Targets;

let times: CaseTimes | null = null;
/** Server time minus page time, in ms. */
let skew = 0;

export function setTimes(next: CaseTimes | undefined | null): void {
  if (next) times = next;
  renderTimers();
}

export function clearTimes(): void {
  times = null;
}

/** Asks the hub for the server's time once the connection is up (a round trip: half of it is added). */
export async function syncClock(): Promise<void> {
  const hub = state.hub;
  if (!hub || hub.state !== "Connected") return;
  try {
    const sent = Date.now();
    const server = await hub.invoke<number>("Ping");
    skew = server - (sent + Date.now()) / 2;
  } catch {
    skew = 0;
  }
}

export function level(seconds: number, target: number): "good" | "warn" | "bad" {
  return seconds <= target ? "good" : seconds <= target * 1.5 ? "warn" : "bad";
}

const ends: Record<Step, (x: CaseTimes) => string | null> = {
  answer: (x) => x.answeredAt,
  move: (x) => x.vehiclesMovedAt,
  close: (x) => x.closedAt,
};

export function renderTimers(): void {
  if (!times || !state.current) return;
  const reported = Date.parse(times.reportedAt);
  const now = Date.now() + skew;
  for (const step of Object.keys(Targets) as Step[]) {
    const end = ends[step](times);
    const seconds = Math.max(0, ((end ? Date.parse(end) : now) - reported) / 1000);
    const item = byTestId(`timer-${step}`);
    const lvl = level(seconds, Targets[step]);
    item.dataset.level = lvl;
    item.dataset.done = String(end !== null);
    item.dataset.seconds = String(Math.floor(seconds));
    byTestId(`timer-${step}-value`).textContent = minutesSeconds(seconds);
    byTestId(`timer-${step}-target`).textContent = t("officer.timer.target", { minutes: Targets[step] / 60 });
    item.title = `${t(`officer.level.${lvl}` as Key)}${end ? ` · ${t("officer.timer.done")}` : ""}`;
  }
}
