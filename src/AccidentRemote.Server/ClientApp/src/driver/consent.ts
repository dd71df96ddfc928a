// The privacy notice and consent (PIPL).
// Shown before anything is captured: the report and join forms (which ask for location) and the
// call (camera, microphone) are reached only after "I agree". The retention it states comes from
// the server's settings; the agreement (notice version, language) goes with the report or join.
import { api } from "../lib/api";
import { byTestId, showScreen } from "../lib/dom";
import { lang, setPlain, setText, t, type Key } from "../lib/i18n";

interface NoticeView {
  version: string;
  retention: { evidenceFilesDays: number; personalDataDays: number; staffSessionsDays: number };
}

interface Consent { noticeVersion: string; language: string; agreed: true }

const consentKey = "ar.consent";
let consent: Consent | null = loadConsent();
let notice: NoticeView | null = null;
let afterConsent: (() => void) | null = null;

function loadConsent(): Consent | null {
  try {
    const raw = sessionStorage.getItem(consentKey);
    const c = raw ? (JSON.parse(raw) as Consent) : null;
    return c?.noticeVersion === t("consent.version") ? c : null;
  } catch {
    return null;
  }
}

/** The agreement a report or join carries; null until the driver pressed "I agree" in this tab. */
export function consentPayload(): Consent | null {
  return consent;
}

/** Runs next at once if the driver already agreed; otherwise shows the notice, and next after "I agree". */
export function withConsent(next: () => void): void {
  if (consent) {
    next();
    return;
  }
  afterConsent = next;
  showScreen("consent");
  void loadNotice();
}

async function loadNotice(): Promise<void> {
  const agree = byTestId<HTMLButtonElement>("consent-agree");
  const status = byTestId("consent-status");
  agree.disabled = true;
  setText(status, "consent.loading");
  try {
    notice = await api<NoticeView>("GET", "/api/privacy/notice");
  } catch {
    setText(status, "consent.failed");
    setText(agree, "consent.retry");
    agree.dataset.retry = "true";
    agree.disabled = false;
    return;
  }
  if (notice.version !== t("consent.version")) {
    setText(status, "consent.stale"); // a cached page with an older notice: it must not be agreed to
    return;
  }
  const keep = (id: string, key: Key, days: number) => {
    const li = byTestId(id);
    setText(li, key, { days });
    li.hidden = false;
  };
  keep("consent-keep-evidence", "consent.keep.evidence", notice.retention.evidenceFilesDays);
  keep("consent-keep-personal", "consent.keep.personal", notice.retention.personalDataDays);
  setPlain(status, "");
  setText(agree, "consent.agree");
  delete agree.dataset.retry;
  agree.disabled = false;
}

export function agreeToNotice(): void {
  if (byTestId("consent-agree").dataset.retry) {
    void loadNotice();
    return;
  }
  if (!notice) return;
  consent = { noticeVersion: notice.version, language: lang, agreed: true };
  try {
    sessionStorage.setItem(consentKey, JSON.stringify(consent));
  } catch {
    // Storage off: the agreement lasts until the tab reloads.
  }
  const next = afterConsent;
  afterConsent = null;
  next?.();
}
