// The insurer desk (/desk): insurer staff in the centre see their insurer's claims, open one (the
// insured driver and vehicle, the other vehicles and liability, fraud signals, evidence, the signed
// PDF) and enter the insurer's claim report number (报案号). Endpoints: docs/insurer-desk.md.
// Keyboard: ↑/↓ move through the list (Enter opens), / goes to the report number, R refreshes.
import { api, ApiError, blobUrl, download, setToken } from "./lib/api";
import type { ClaimSubmitted, Insurer, InsurerClaimDetail, InsurerClaimItem, MeResponse } from "./lib/contract";
import { byTestId, el, showScreen } from "./lib/dom";
import { applyI18n, has, lang, onLangChange, setPlain, t, toggleLang, type Key } from "./lib/i18n";
import { fraudParts } from "./lib/fraud";
import { mountSignIn, problem, restoreSession, signOut, wireSignIn, type SignInFlow } from "./lib/staff";

const storageKey = "ar.desk";
const refreshEveryMs = 30000;

interface DeskSession { token: string; displayName: string; insurerCode: string | null }

type Filter = "unacknowledged" | "acknowledged";

let desk: DeskSession | null = null;
let insurers: Insurer[] = [];
let filter: Filter = "unacknowledged";
let claims: InsurerClaimItem[] = [];
let openId: string | null = null;
let detail: InsurerClaimDetail | null = null;

// ---------- small helpers ----------

/** 404/405 on a list, a detail or a PDF: the claim or its document is not there (shown as "unavailable", not as an error). */
function unavailable(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 404 || e.status === 405);
}

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString(lang, { hour12: false }) : "–");
const word = (prefix: string, value: string | null | undefined) =>
  !value ? "–" : has(`${prefix}${value}`) ? t(`${prefix}${value}` as Key) : value;

function insurerName(code: string | null | undefined): string {
  if (!code) return t("desk.insurerUnknown");
  const i = insurers.find((x) => x.code === code);
  return i ? (lang === "en" ? i.nameEn : i.nameZh) : code;
}

/** The liability scenario in the page's language (scenario.<code>), never its code; an unknown code as sent. */
function scenarioName(code: string | null | undefined): string {
  if (!code) return "–";
  return has(`scenario.${code}`) ? t(`scenario.${code}` as Key) : code;
}

function fact(testId: string, key: Key, value: string): HTMLElement {
  // dir=auto: the value is its own bidi isolate, so a direction override typed by a driver cannot turn the page around.
  return el("div", {}, el("dt", { text: t(key) }), el("dd", { "data-testid": testId, dir: "auto", text: value }));
}

// ---------- sign in ----------

const signInFlow = {
  storageKey,
  // An officer's account is refused: the console is theirs; this page shows only an insurer's claims.
  accept: async (r) => r.officer.role !== "insurer" ? { refused: "desk.notInsurer" as const }
    : { token: r.token, displayName: r.officer.displayName, insurerCode: await insurerCode() },
  enter: async (s) => { desk = s; await enterDesk(); },
} satisfies SignInFlow<DeskSession>;

/** The insurer this account works for, from GET /api/officers/me; null when it names none or cannot be read. */
async function insurerCode(): Promise<string | null> {
  try {
    return (await api<MeResponse>("GET", "/api/officers/me")).insurerCode ?? null;
  } catch {
    return null;
  }
}

// ---------- the list ----------

let loading = false;

async function loadClaims(): Promise<void> {
  if (!desk || loading) return;
  loading = true;
  const error = byTestId("claims-error");
  try {
    claims = await api<InsurerClaimItem[]>("GET", `/api/insurer/claims?status=${filter}`);
    error.hidden = true;
  } catch (e) {
    claims = [];
    error.textContent = unavailable(e) ? t("desk.unavailable") : problem(e);
    error.hidden = false;
  } finally {
    loading = false;
  }
  renderClaims();
}

function renderClaims(): void {
  byTestId("claims-count").textContent = String(claims.length);
  byTestId("claims-empty").hidden = claims.length > 0 || !byTestId("claims-error").hidden;
  document.querySelectorAll<HTMLButtonElement>("[data-testid^=filter-]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.status === filter)));
  const focused = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>("[data-testid=claim-item]")?.dataset.claimId;
  byTestId("claim-list").replaceChildren(...claims.map((c) => {
    const item = el("button", { type: "button", class: "claim-item", "data-testid": "claim-item", "data-claim-id": c.claimId, "data-case-id": c.caseId },
      el("span", { class: "row1" }, el("strong", { text: c.caseNumber }), el("span", { class: "plate", text: c.insuredPlate })),
      el("span", { class: "row2", text: `${word("liability.", c.liability)} · ${when(c.createdAt)}` }),
      c.claimReportNumber ? el("span", { class: "row2 number", text: c.claimReportNumber }) : "");
    if (c.claimId === openId) item.setAttribute("aria-current", "true");
    item.addEventListener("click", () => void openClaim(c.claimId));
    return el("li", {}, item);
  }));
  if (focused) document.querySelector<HTMLElement>(`[data-testid=claim-item][data-claim-id="${focused}"]`)?.focus();
}

function setFilter(next: Filter): void {
  if (filter === next) return;
  filter = next;
  claims = [];
  renderClaims();
  void loadClaims();
}

/** ↑/↓ (or J/K) move through the list; the buttons open on Enter or Space themselves. */
function onListKey(e: KeyboardEvent): void {
  const items = [...document.querySelectorAll<HTMLButtonElement>("[data-testid=claim-item]")];
  const i = items.indexOf(document.activeElement as HTMLButtonElement);
  const k = e.key;
  const step = k === "ArrowDown" || k === "j" ? 1 : k === "ArrowUp" || k === "k" ? -1 : 0;
  if (!step || items.length === 0) return;
  items[Math.min(items.length - 1, Math.max(0, i + step))]?.focus();
  e.preventDefault();
}

// ---------- one claim ----------

async function openClaim(claimId: string): Promise<void> {
  openId = claimId;
  const error = byTestId("claim-error");
  error.hidden = true;
  renderClaims();
  try {
    detail = await api<InsurerClaimDetail>("GET", `/api/insurer/claims/${claimId}`);
  } catch (e) {
    detail = null;
    // 404 for a claim the list just showed: the list works, so the claim is gone (or not this insurer's).
    error.textContent = unavailable(e) ? t(byTestId("claims-error").hidden ? "desk.claimGone" : "desk.unavailable") : problem(e);
    error.hidden = false;
    byTestId("claim-detail").hidden = true;
    byTestId("claim-none").hidden = true;
    return;
  }
  byTestId("claim-none").hidden = true;
  byTestId("claim-detail").hidden = false;
  byTestId<HTMLInputElement>("ack-number").value = "";
  byTestId("ack-error").hidden = true;
  setPlain(byTestId("claim-document-status"), "");
  renderDetail();
}

function renderDetail(): void {
  if (!detail) return;
  const c: ClaimSubmitted = detail.claim;
  const acknowledged = Boolean(detail.claimReportNumber);
  byTestId("claim-case-number").textContent = c.caseNumber;
  const state = byTestId("claim-state");
  state.textContent = t(acknowledged ? "desk.acknowledged" : "desk.unacknowledged");
  state.dataset.state = acknowledged ? "acknowledged" : "unacknowledged";
  byTestId("claim-summary").replaceChildren(...(c.location.address ? [el("bdi", { text: c.location.address }), " · "] : []), when(c.accidentTime));

  byTestId("ack-form").hidden = acknowledged;
  const done = byTestId("ack-done");
  done.hidden = !acknowledged;
  done.textContent = acknowledged ? t("desk.recorded", { number: detail.claimReportNumber ?? "", time: when(detail.acknowledgedAt) }) : "";

  const signals = c.fraudSignals ?? [];
  byTestId("claim-fraud").hidden = signals.length === 0;
  byTestId("claim-fraud-list").replaceChildren(...signals.map((f) =>
    el("li", { "data-testid": "claim-fraud-signal", "data-code": f.code }, ...fraudParts(f))));

  const i = c.insured;
  byTestId("claim-insured-facts").replaceChildren(
    fact("claim-insured-name", "desk.name", i.name ?? "–"),
    fact("claim-insured-id", "desk.idNumber", i.idNumber ?? "–"),
    fact("claim-insured-phone", "desk.phone", i.phone),
    fact("claim-insured-plate", "desk.plate", i.plate),
    fact("claim-insured-vehicle", "desk.vehicleType", word("vehicle.", i.vehicleType)),
    fact("claim-insured-policy", "desk.policy", i.policyNumber ?? "–"),
    fact("claim-insured-liability", "desk.liability", word("liability.", i.liability)));
  byTestId("claim-accident").replaceChildren(
    fact("claim-accident-time", "desk.accidentTime", when(c.accidentTime)),
    fact("claim-accident-place", "desk.place", c.location.address
      ?? (c.location.latitude !== null && c.location.longitude !== null ? `${c.location.latitude.toFixed(5)}, ${c.location.longitude.toFixed(5)}` : "–")),
    fact("claim-weather", "desk.weather", c.weather ?? "–"),
    fact("claim-scenario", "desk.scenario", scenarioName(c.liabilityScenario)),
    fact("claim-facts", "desk.facts", c.facts ?? "–"),
    fact("claim-closed", "desk.closedAt", when(c.closedAt)));

  byTestId("claim-others-rows").replaceChildren(...c.otherParties.map((o) =>
    el("tr", { "data-testid": `claim-other-${o.partyNumber}` },
      el("td", { text: String(o.partyNumber) }),
      el("td", { text: o.plate }),
      el("td", { text: word("vehicle.", o.vehicleType) }),
      el("td", { text: insurerName(o.insurerCode) }),
      el("td", { "data-testid": `claim-other-${o.partyNumber}-liability`, text: word("liability.", o.liability) }))));

  const doc = c.document;
  byTestId("claim-document-info").textContent = doc
    ? t("desk.documentInfo", { number: doc.number, version: doc.version, code: doc.verificationCode })
    : t("desk.noDocument");
  byTestId<HTMLButtonElement>("claim-pdf").disabled = !doc;
  byTestId<HTMLButtonElement>("claim-pdf-download").disabled = !doc;
  const verify = byTestId<HTMLAnchorElement>("claim-verify");
  verify.hidden = !doc;
  if (doc) verify.href = doc.verifyUrl;

  renderEvidence(c);
}

function renderEvidence(c: ClaimSubmitted): void {
  const evidence = c.evidence ?? [];
  byTestId("claim-evidence-count").textContent = evidence.length ? `(${evidence.length})` : "";
  byTestId("claim-evidence-empty").hidden = evidence.length > 0;
  byTestId("claim-evidence").replaceChildren(...evidence.map((x) => {
    const label = [word("evidence.", x.kind), x.angle ? word("angle.", x.angle) : null, x.partyNumber ? `#${x.partyNumber}` : null, when(x.capturedAt)]
      .filter(Boolean).join(" · ");
    const url = sameOrigin(x.url);
    // Signed, expiring links: an <img> needs no token (CSP img-src 'self').
    const content = x.contentType.startsWith("image/")
      ? el("img", { src: url, alt: label, loading: "lazy", "data-testid": "claim-evidence-thumb" })
      : el("span", { class: "file", text: x.contentType });
    return el("li", { "data-testid": "claim-evidence-item", "data-evidence-id": x.id },
      el("a", { href: url, target: "_blank", rel: "noopener", title: label }, content),
      el("span", { class: "caption", text: label }));
  }));
}

/** The claim's links carry the server's public base URL (Documents:PublicBaseUrl, for insurers outside);
 *  the desk may reach the same server by another name, and the CSP allows images only from here.
 *  The signature covers the path and query, so the same link works on this origin. */
function sameOrigin(link: string): string {
  try {
    const u = new URL(link, location.href);
    return u.pathname.startsWith("/api/evidence/") ? `${u.pathname}${u.search}` : link;
  } catch {
    return link;
  }
}

function pdfPath(): string | null {
  return openId ? `/api/insurer/claims/${openId}/document.pdf` : null;
}

async function openPdf(): Promise<void> {
  const path = pdfPath();
  if (!path) return;
  // Open the tab inside the click so pop-up blockers allow it; fill it when the PDF arrives.
  const tab = window.open("", "_blank");
  try {
    const url = await blobUrl(path);
    if (tab) tab.location.href = url;
    else location.href = url;
    setPlain(byTestId("claim-document-status"), "");
  } catch (e) {
    tab?.close();
    byTestId("claim-document-status").textContent = unavailable(e) ? t("desk.pdfUnavailable") : problem(e);
  }
}

async function downloadPdf(): Promise<void> {
  const path = pdfPath();
  if (!path || !detail) return;
  try {
    await download(path, `accident-document-${detail.claim.caseNumber}.pdf`);
    setPlain(byTestId("claim-document-status"), "");
  } catch (e) {
    byTestId("claim-document-status").textContent = unavailable(e) ? t("desk.pdfUnavailable") : problem(e);
  }
}

const reportNumber = /^[A-Za-z0-9-]{1,64}$/;

async function acknowledge(ev: Event): Promise<void> {
  ev.preventDefault();
  if (!openId) return;
  const input = byTestId<HTMLInputElement>("ack-number");
  const error = byTestId("ack-error");
  const number = input.value.trim();
  error.hidden = true;
  input.removeAttribute("aria-invalid");
  if (!reportNumber.test(number)) {
    error.textContent = t("desk.reportNumberInvalid");
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return;
  }
  const button = byTestId<HTMLButtonElement>("ack-submit");
  button.disabled = true;
  try {
    await api("POST", `/api/insurer/claims/${openId}/acknowledge`, { claimReportNumber: number });
    if (detail) {
      detail.claimReportNumber = number;
      detail.acknowledgedAt = new Date().toISOString();
    }
    renderDetail();
    byTestId("ack-done").focus();
    void loadClaims();
  } catch (e) {
    error.textContent = e instanceof ApiError && e.status === 409 ? [t("desk.ackConflict"), e.detail].filter(Boolean).join(" ")
      : e instanceof ApiError && e.status === 400 && lang !== "en" ? t("desk.reportNumberInvalid")
      : unavailable(e) ? t("desk.unavailable") : problem(e);
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
  } finally {
    button.disabled = false;
  }
}

// ---------- keyboard ----------

function onKey(e: KeyboardEvent): void {
  if (e.ctrlKey || e.metaKey || e.altKey || document.body.dataset.screen !== "claims") return;
  if ((e.target as HTMLElement).closest("input, select, textarea")) return;
  if (e.key === "/" && !byTestId("claim-detail").hidden && !byTestId("ack-form").hidden) byTestId("ack-number").focus();
  else if (e.key.toLowerCase() === "r") void loadClaims();
  else return;
  e.preventDefault();
}

// ---------- boot ----------

async function enterDesk(): Promise<void> {
  if (!desk) return;
  setToken(desk.token);
  byTestId("desk-user").textContent = desk.displayName;
  byTestId("sign-out").hidden = false;
  try { insurers = await api<Insurer[]>("GET", "/api/insurers"); } catch { insurers = []; }
  renderHeader();
  showScreen("claims");
  await loadClaims();
  window.setInterval(() => void loadClaims(), refreshEveryMs);
  (document.querySelector<HTMLElement>("[data-testid=claim-item]") ?? byTestId("filter-unacknowledged")).focus();
}

function renderHeader(): void {
  byTestId("desk-insurer").textContent = desk?.insurerCode ? insurerName(desk.insurerCode) : "";
}

async function boot(): Promise<void> {
  mountSignIn("desk.signInTitle");
  applyI18n();
  byTestId("lang-switch").addEventListener("click", toggleLang);
  onLangChange(() => {
    renderHeader();
    renderClaims();
    renderDetail();
  });
  wireSignIn(signInFlow);
  byTestId("sign-out").addEventListener("click", () => void signOut(storageKey));
  byTestId("claims-refresh").addEventListener("click", () => void loadClaims());
  byTestId("filter-unacknowledged").addEventListener("click", () => setFilter("unacknowledged"));
  byTestId("filter-acknowledged").addEventListener("click", () => setFilter("acknowledged"));
  byTestId("claim-list").addEventListener("keydown", onListKey);
  byTestId("ack-form").addEventListener("submit", (e) => void acknowledge(e));
  byTestId("claim-pdf").addEventListener("click", () => void openPdf());
  byTestId("claim-pdf-download").addEventListener("click", () => void downloadPdf());
  document.addEventListener("keydown", onKey);

  await restoreSession<DeskSession>(storageKey, async (s, me) => {
    desk = { ...s, insurerCode: me.insurerCode ?? s.insurerCode };
    await enterDesk();
  }, () => { desk = null; });
}

void boot();
