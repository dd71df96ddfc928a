// The supervisor board in the console: the 1 / 4 / 15-minute targets, the queue and the officers
// now, abandonment and satisfaction, today's and the week's cases, and claim delivery per insurer.
// Fed by GET /api/kpis and GET /api/insurers/stats; refreshed every 30 s while shown and shortly
// after the hub says the queue or a case changed.
import { api, ApiError } from "./api";
import { barChart } from "./charts";
import type { DurationStats, Insurer, InsurerDelivery, KpiBoard, KpiBucket } from "./contract";
import { byTestId, el, minutesSeconds } from "./dom";
import { lang, setText, t, type Key } from "./i18n";

type Level = "good" | "warn" | "bad" | "none";

const refreshEveryMs = 30000;
const debounceMs = 2000;

let visible = false;
let timer: number | undefined;
let pending: number | undefined;
let inFlight = false;
let board: KpiBoard | null = null;
let stats: InsurerDelivery[] | null = null;
let insurers: Insurer[] = [];
/** Reads of personal data (GET /api/audit/reads, supervisors only); null when not allowed or not available. */
let reads: PersonalDataRead[] | null = null;

interface PersonalDataRead { seq: number; at: string; actor: string; caseId: string | null; detail: string | null }

function level(value: number | null, good: (v: number) => boolean, warn: (v: number) => boolean): Level {
  if (value === null) return "none";
  return good(value) ? "good" : warn(value) ? "warn" : "bad";
}

/** A figure with its traffic-light level (data-level, coloured by console.css) and the level in words as a tooltip. */
function figure(testId: string, text: string, lvl: Level = "none"): void {
  const e = byTestId(testId);
  e.textContent = text;
  e.dataset.level = lvl;
  if (lvl === "none") e.removeAttribute("title");
  else e.title = t(`board.level.${lvl}` as Key);
}

const seconds = (s: number | null) => (s === null ? "–" : minutesSeconds(s));
const percent = (f: number | null) => (f === null ? "–" : `${Math.round(f * 100)}%`);

/** Median and p90 against the target: at most the target is green, up to 1.5× (p90: 2×) amber.
 *  Share within the target: 90 % green, 75 % amber (the centre's goal is 90 %). */
function renderDuration(name: "answer" | "move" | "close", d: DurationStats): void {
  const target = d.targetSeconds;
  figure(`kpi-${name}-median`, seconds(d.medianSeconds), level(d.medianSeconds, (v) => v <= target, (v) => v <= target * 1.5));
  figure(`kpi-${name}-p90`, seconds(d.p90Seconds), level(d.p90Seconds, (v) => v <= target, (v) => v <= target * 2));
  figure(`kpi-${name}-share`, percent(d.shareWithinTarget), level(d.shareWithinTarget, (v) => v >= 0.9, (v) => v >= 0.75));
  figure(`kpi-${name}-count`, String(d.count));
  setText(byTestId(`kpi-${name}-target`), "board.target", { minutes: Math.round(target / 60) });
}

/** "14" from "2026-11-28T14:00:00+08:00": the centre's local hour as the server wrote it, whatever the browser's zone. */
const hourOf = (iso: string) => iso.slice(11, 13);

function dayLabel(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
  const date = new Date(Date.UTC(y!, m! - 1, d!));
  return `${m}/${d} ${date.toLocaleDateString(lang, { weekday: "short", timeZone: "UTC" })}`;
}

function describe(label: string, b: KpiBucket): string {
  const median = b.medianAnswerSeconds === null ? "" : t("board.chartMedian", { time: minutesSeconds(b.medianAnswerSeconds) });
  return `${label} ${t("board.chartBucket", { reported: b.reported, closed: b.closed })}${median}`;
}

function renderCharts(b: KpiBoard): void {
  const series = (buckets: KpiBucket[]) => [
    { cls: "reported", values: buckets.map((x) => x.reported) },
    { cls: "closed", values: buckets.map((x) => x.closed) },
  ];
  byTestId("chart-today").replaceChildren(barChart({
    label: t("board.today"),
    // 24 slots, one per hour so far; the axis names every third hour so the labels do not collide.
    categories: Array.from({ length: 24 }, (_, h) => (h % 3 === 0 ? String(h).padStart(2, "0") : "")),
    series: series(b.today),
    describe: (i) => describe(`${hourOf(b.today[i]!.start)}:00`, b.today[i]!),
    groupTestId: "chart-today-hour",
  }));
  byTestId("chart-week").replaceChildren(barChart({
    label: t("board.week"),
    categories: b.week.map((x) => dayLabel(x.start)),
    series: series(b.week),
    describe: (i) => describe(dayLabel(b.week[i]!.start), b.week[i]!),
    groupTestId: "chart-week-day",
  }));
}

function renderBoard(): void {
  const b = board;
  if (!b) return;
  renderDuration("answer", b.answer);
  renderDuration("move", b.move);
  renderDuration("close", b.close);
  // Queue: nobody waiting is green; no more waiting than free officers is amber.
  const free = Math.max(0, b.officersOnDuty - b.officersBusy);
  figure("kpi-queue", String(b.queueLength), level(b.queueLength, (v) => v === 0, (v) => v <= Math.max(1, free)));
  figure("kpi-officers", String(b.officersOnDuty), b.officersOnDuty === 0 ? "bad" : "none");
  figure("kpi-busy", String(b.officersBusy));
  figure("kpi-reported", String(b.casesReported));
  figure("kpi-escalated", String(b.escalated));
  figure("kpi-abandoned", String(b.abandoned));
  figure("kpi-expired", String(b.expired), b.expired === 0 ? "good" : "bad");
  figure("kpi-abandonment", percent(b.abandonmentRate), level(b.abandonmentRate, (v) => v <= 0.05, (v) => v <= 0.1));
  figure("kpi-satisfaction", b.satisfactionAverage === null ? "–" : b.satisfactionAverage.toFixed(1),
    level(b.satisfactionAverage, (v) => v >= 4.5, (v) => v >= 4));
  setText(byTestId("kpi-satisfaction-count"), "board.ratings", { n: b.satisfactionCount });
  renderCharts(b);
  const updated = byTestId("board-updated");
  updated.dataset.updatedAt = b.now;
  setText(updated, "board.updated", { time: new Date(b.now).toLocaleTimeString(lang, { hour12: false }) });
}

function insurerName(code: string): string {
  const i = insurers.find((x) => x.code === code);
  return i ? (lang === "en" ? i.nameEn : i.nameZh) : code;
}

function renderStats(): void {
  const body = byTestId("insurer-rows");
  byTestId("insurers-empty").hidden = stats === null || stats.length > 0;
  byTestId("insurers-unavailable").hidden = stats !== null;
  body.replaceChildren(...(stats ?? []).map((s) => {
    const cell = (id: string, text: string, cls = "") => el("td", { "data-testid": `insurer-${s.insurerCode}-${id}`, class: cls, text });
    const row = el("tr", { "data-testid": `insurer-row-${s.insurerCode}`, "data-overdue": String(s.overdue > 0), class: s.overdue > 0 ? "alert" : "" },
      el("th", { scope: "row", text: insurerName(s.insurerCode) }),
      cell("published", String(s.published)),
      cell("delivered", String(s.delivered)),
      cell("acknowledged", String(s.acknowledged)),
      cell("parked", String(s.parked), s.parked > 0 ? "warn" : ""),
      cell("overdue", String(s.overdue), s.overdue > 0 ? "overdue" : ""),
      cell("republished", String(s.republished)),
      cell("deliver", seconds(s.medianSecondsToDeliver)),
      cell("acknowledge", seconds(s.medianSecondsToAcknowledge)));
    if (s.overdue > 0) row.title = t("board.overdueHint", { n: s.overdue });
    return row;
  }));
}

/** "read=name,phone; via=case; user=li.wei" → its parts. */
function part(detail: string | null, name: string): string {
  const found = (detail ?? "").split("; ").find((x) => x.startsWith(`${name}=`));
  return found ? found.slice(name.length + 1) : "";
}

function renderReads(): void {
  byTestId("reads").hidden = reads === null;
  byTestId("reads-empty").hidden = reads === null || reads.length > 0;
  byTestId("read-rows").replaceChildren(...(reads ?? []).map((r) => el("tr", { "data-testid": `read-${r.seq}` },
    el("td", { text: new Date(r.at).toLocaleString(lang, { hour12: false }) }),
    el("td", { text: part(r.detail, "user") || r.actor }),
    el("td", { text: part(r.detail, "read") }),
    el("td", { text: part(r.detail, "via") }),
    el("td", { text: r.caseId ? r.caseId.slice(0, 8) : "", title: r.caseId ?? "" }))));
}

async function refresh(): Promise<void> {
  if (inFlight) return;
  inFlight = true;
  const root = byTestId("board");
  root.dataset.state = board ? "refreshing" : "loading";
  const error = byTestId("board-error");
  try {
    if (insurers.length === 0) {
      try { insurers = await api<Insurer[]>("GET", "/api/insurers"); } catch { insurers = []; }
    }
    const [k, s] = await Promise.allSettled([api<KpiBoard>("GET", "/api/kpis"), api<InsurerDelivery[]>("GET", "/api/insurers/stats")]);
    if (k.status === "fulfilled") {
      board = k.value;
      error.hidden = true;
      renderBoard();
    } else {
      const e = k.reason;
      error.textContent = e instanceof ApiError && e.offline ? t("error.offline")
        : e instanceof ApiError && e.status === 403 ? t("board.forbidden")
        : t("board.failed", { reason: e instanceof ApiError ? e.title : String(e) });
      error.hidden = false;
    }
    stats = s.status === "fulfilled" ? s.value : null;
    renderStats();
    try { reads = await api<PersonalDataRead[]>("GET", "/api/audit/reads?limit=50"); } catch { reads = null; }
    renderReads();
    root.dataset.state = board ? "ready" : "error";
  } finally {
    inFlight = false;
  }
}

/** Shows the board: refreshes now and every 30 s until hidden. */
export function showBoard(): void {
  visible = true;
  void refresh();
  window.clearInterval(timer);
  timer = window.setInterval(() => void refresh(), refreshEveryMs);
}

export function hideBoard(): void {
  visible = false;
  window.clearInterval(timer);
  window.clearTimeout(pending);
}

/** QueueChanged or CaseChanged from the hub: refresh once things settle (a burst of pushes makes one call). */
export function boardChanged(): void {
  if (!visible) return;
  window.clearTimeout(pending);
  pending = window.setTimeout(() => void refresh(), debounceMs);
}

/** After a language switch. */
export function renderBoardTexts(): void {
  renderBoard();
  renderStats();
  renderReads();
}

export function initBoard(): void {
  byTestId("board-refresh").addEventListener("click", () => void refresh());
}
