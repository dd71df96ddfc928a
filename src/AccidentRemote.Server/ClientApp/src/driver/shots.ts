// Use the wait: while queued, the standard photos (front, rear, point of impact, whole scene, the
// other car's plate), each with a sample drawing (/img/shots/*.svg), a take-photo button and a
// thumbnail of what was sent. Each photo is sent as evidence with its shot as the evidence angle,
// which a party may upload while the case is queued (docs/evidence.md).
import { api, ApiError, blobUrl, upload } from "../lib/api";
import type { CaseStatus } from "../lib/contract";
import { byTestId, el } from "../lib/dom";
import { applyI18n, setPlain, setText, t, type Key } from "../lib/i18n";
import { problemText } from "./form";
import { state } from "./state";

const shots = ["front", "rear", "collision-point", "panorama", "plates"] as const;
type Shot = (typeof shots)[number];

interface EvidenceItem { id: string; partyId: string | null; kind: string; angle: string | null }

let caseId: string | null = null;
const thumbs = new Map<Shot, string>();

const label = (s: Shot) => t(`intake.shots.${s}.label` as Key);

function item(s: Shot): HTMLLIElement {
  const sample = el("img", { class: "sample", src: `/img/shots/${s}.svg`, width: "120", height: "90", alt: t("intake.shots.sample", { shot: label(s) }) });
  const take = el("span", { "data-i18n": thumbs.has(s) ? "intake.shots.retake" : "intake.shots.take" });
  const input = el("input", { type: "file", accept: "image/*", capture: "environment", "data-testid": `shot-input-${s}`, "data-shot": s });
  const button = el("label", { class: `btn ${thumbs.has(s) ? "secondary" : "primary"} file shot-take` }, take, input);
  const status = el("p", { class: "status", "data-testid": `shot-status-${s}`, role: "status", "aria-live": "polite" });
  if (thumbs.has(s)) {
    setText(status, "intake.shots.sent");
    status.dataset.uploaded = "true";
  }
  const thumb = el("img", { class: "thumb", "data-testid": `shot-thumb-${s}`, alt: t("intake.shots.thumb", { shot: label(s) }) });
  const url = thumbs.get(s);
  if (url) thumb.src = url;
  thumb.hidden = !url;
  const li = el("li", { class: "shot", "data-testid": `shot-${s}`, "data-shot": s, "data-sent": String(thumbs.has(s)) },
    el("div", { class: "shot-pictures" }, sample, thumb),
    el("div", { class: "shot-body" },
      el("h3", { "data-i18n": `intake.shots.${s}.label` }),
      el("p", { class: "hint secondary-text", "data-i18n": `intake.shots.${s}.hint` }),
      button, status));
  applyI18n(li);
  return li;
}

export function renderShots(): void {
  byTestId("shot-list").replaceChildren(...shots.map(item));
  const progress = byTestId("shots-card").querySelector<HTMLElement>("[data-testid=shots-progress]")
    ?? byTestId("shots-card").insertBefore(el("p", { class: "status", "data-testid": "shots-progress" }), byTestId("shot-list"));
  setText(progress, "intake.shots.progress", { n: thumbs.size, total: shots.length });
}

function reset(): void {
  thumbs.forEach((url) => URL.revokeObjectURL(url));
  thumbs.clear();
}

/** A status subscriber: a new case starts with no photos; the ones this party already sent (a reload) are shown again. */
export function followShots(_status: CaseStatus): void {
  const s = state.session;
  if ((s?.caseId ?? null) === caseId) return;
  caseId = s?.caseId ?? null;
  reset();
  renderShots();
  if (s) void loadSent(s.caseId, s.partyId);
}

async function loadSent(forCase: string, partyId: string): Promise<void> {
  try {
    const items = await api<EvidenceItem[]>("GET", `/api/cases/${forCase}/evidence`);
    const latest = new Map<Shot, string>();
    for (const i of items) {
      if (i.kind === "photo" && i.partyId === partyId && shots.includes(i.angle as Shot)) latest.set(i.angle as Shot, i.id);
    }
    for (const [shot, id] of latest) {
      const url = await blobUrl(`/api/evidence/${id}/content`);
      if (caseId !== forCase) {
        URL.revokeObjectURL(url);
        return;
      }
      const old = thumbs.get(shot);
      if (old) URL.revokeObjectURL(old);
      thumbs.set(shot, url);
    }
    if (latest.size > 0) renderShots();
  } catch {
    // Offline or refused: the buttons still work, the thumbnails come back after the next photo.
  }
}

async function send(input: HTMLInputElement): Promise<void> {
  const file = input.files?.[0];
  const shot = input.dataset.shot as Shot;
  const s = state.session;
  if (!file || !s) return;
  const status = () => byTestId(`shot-status-${shot}`);
  const formData = new FormData();
  formData.append("file", file, file.name || "photo.jpg");
  formData.append("kind", "photo");
  formData.append("angle", shot);
  if (s.latitude !== null && s.longitude !== null) {
    formData.append("latitude", String(s.latitude));
    formData.append("longitude", String(s.longitude));
  }
  setText(status(), "intake.shots.sending", { percent: 0 });
  try {
    await upload(`/api/cases/${s.caseId}/evidence`, formData, (f) => setText(status(), "intake.shots.sending", { percent: Math.round(f * 100) }));
    if (caseId !== s.caseId) return;
    const old = thumbs.get(shot);
    if (old) URL.revokeObjectURL(old);
    thumbs.set(shot, URL.createObjectURL(file));
    renderShots();
  } catch (e) {
    const el = status();
    setPlain(el, e instanceof ApiError && e.status === 404 ? t("photo.unavailable") : e instanceof ApiError ? problemText(e) : t("error.offline"));
    el.dataset.uploaded = "false";
  } finally {
    input.value = "";
  }
}

export function setUpShots(): void {
  byTestId("shot-list").addEventListener("change", (e) => {
    const input = e.target as HTMLInputElement;
    if (input.dataset.shot) void send(input);
  });
  renderShots();
}
