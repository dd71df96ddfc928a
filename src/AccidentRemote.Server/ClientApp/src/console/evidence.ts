// Evidence and instructions: a screenshot of a party's video stored as evidence, and the
// instructions the console sends (photo of an angle, audio only or video, move the cars, end of call).
import { api, ApiError, upload } from "../lib/api";
import { el } from "../lib/dom";
import { t } from "../lib/i18n";
import { problem } from "../lib/staff";
import { message } from "./log";
import { state, type Tile } from "./state";
import { renderTile } from "./tiles";

export async function screenshot(tile: Tile): Promise<void> {
  if (!state.current) return;
  const v = tile.video;
  if (!v.videoWidth) {
    message(t("console.noVideo", { n: tile.partyNumber }));
    return;
  }
  const canvas = el("canvas");
  canvas.width = v.videoWidth;
  canvas.height = v.videoHeight;
  canvas.getContext("2d")?.drawImage(v, 0, 0);
  const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, "image/jpeg", 0.92));
  if (!blob) return;
  const form = new FormData();
  form.append("file", blob, `party-${tile.partyNumber}-${Date.now()}.jpg`);
  form.append("kind", "screenshot");
  form.append("partyId", tile.partyId);
  tile.root.classList.add("flash");
  setTimeout(() => tile.root.classList.remove("flash"), 300);
  message(t("console.saving"));
  try {
    await upload(`/api/cases/${state.current.id}/evidence`, form);
    message(t("console.screenshotSaved", { n: tile.partyNumber }));
  } catch (e) {
    message(e instanceof ApiError && e.status === 404 ? t("console.evidenceUnavailable") : problem(e));
  }
}

/** Sends an instruction to one party (partyId) or to all (null); false when refused (the message says why). */
export async function instruct(kind: string, partyId: string | null, angle: string | null = null): Promise<boolean> {
  if (!state.current) return false;
  try {
    await api("POST", `/api/cases/${state.current.id}/instructions`, { kind, partyId, angle });
    message(t("console.instructionSent"));
    return true;
  } catch (e) {
    message(problem(e));
    return false;
  }
}

export async function toggleAudioOnly(tile: Tile): Promise<void> {
  if (await instruct(tile.audioOnly ? "video" : "audio-only", tile.partyId)) {
    tile.audioOnly = !tile.audioOnly;
    renderTile(tile);
  }
}
