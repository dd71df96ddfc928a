// Instructions from the officer (move the cars, take a photo, audio only, video, end of call), the
// "cars moved" confirmation and the photo upload.
import { api, ApiError, upload } from "../lib/api";
import { onDelivered } from "../lib/outbox";
import type { Instruction } from "../lib/contract";
import { byTestId } from "../lib/dom";
import { has, setPlain, setText, t, type Key } from "../lib/i18n";
import { endCall, enterCall } from "./call";
import { problemText } from "./form";
import { setAudioOnly } from "./media";
import { keepOffline } from "./offline";
import { state } from "./state";

let photoAngle: string | null = null;
let instructionText: (() => string) | null = null;

export function onInstruction(i: Instruction): void {
  const card = byTestId("instruction");
  const say = (key: Key, vars?: () => Record<string, string>) => {
    instructionText = () => t(key, vars?.());
    byTestId("instruction-text").textContent = instructionText();
    setPlain(byTestId("instruction-status"), "");
    card.dataset.kind = i.kind;
    card.hidden = false;
    byTestId("moved-button").hidden = i.kind !== "move-cars";
    byTestId("photo-panel").hidden = i.kind !== "photo";
  };
  if (i.kind === "end-call") {
    endCall("end-call");
    return;
  }
  if (!state.inCall) enterCall();
  switch (i.kind) {
    case "move-cars":
      say("instruction.moveCars");
      break;
    case "photo":
      photoAngle = i.angle;
      say("instruction.photo", () => ({ angle: i.angle && has(`angle.${i.angle}`) ? t(`angle.${i.angle}` as Key) : t("angle.any") }));
      byTestId<HTMLProgressElement>("photo-progress").hidden = true;
      break;
    case "audio-only":
      say("instruction.audioOnly");
      void setAudioOnly(true);
      break;
    case "video":
      say("instruction.video");
      void setAudioOnly(false);
      break;
  }
  card.scrollIntoView({ block: "start" });
}

export async function confirmMoved(): Promise<void> {
  if (!state.session) return;
  const button = byTestId<HTMLButtonElement>("moved-button");
  const status = byTestId("instruction-status");
  button.disabled = true;
  const path = `/api/cases/${state.session.caseId}/moved-confirmation`;
  try {
    await api("POST", path);
    setText(status, "instruction.movedThanks");
    button.hidden = true;
  } catch (e) {
    if (e instanceof ApiError && e.offline && (await keepOffline("moved", "POST", path, undefined))) {
      setText(status, "outbox.kept");
      button.hidden = true;
    } else {
      setPlain(status, e instanceof ApiError ? problemText(e) : t("error.offline"));
    }
  } finally {
    button.disabled = false;
  }
}

onDelivered("moved", (error) => {
  const status = byTestId("instruction-status");
  if (error) setPlain(status, problemText(error));
  else setText(status, "instruction.movedThanks");
});

export async function uploadPhoto(input: HTMLInputElement): Promise<void> {
  const file = input.files?.[0];
  if (!file || !state.session) return;
  const progress = byTestId<HTMLProgressElement>("photo-progress");
  const status = byTestId("instruction-status");
  const formData = new FormData();
  formData.append("file", file, file.name || "photo.jpg");
  formData.append("kind", "photo");
  if (photoAngle) formData.append("angle", photoAngle);
  if (state.session.latitude !== null && state.session.longitude !== null) {
    formData.append("latitude", String(state.session.latitude));
    formData.append("longitude", String(state.session.longitude));
  }
  progress.hidden = false;
  progress.value = 0;
  setText(status, "photo.sending");
  try {
    await upload(`/api/cases/${state.session.caseId}/evidence`, formData, (f) => {
      progress.value = f;
      setText(status, "photo.progress", { percent: Math.round(f * 100) });
    });
    progress.value = 1;
    setText(status, "photo.sent");
    status.dataset.uploaded = "true";
  } catch (e) {
    setPlain(status, e instanceof ApiError && e.status === 404 ? t("photo.unavailable") : e instanceof ApiError ? problemText(e) : t("error.offline"));
    status.dataset.uploaded = "false";
  } finally {
    input.value = "";
  }
}

export function renderInstruction(): void {
  if (instructionText) byTestId("instruction-text").textContent = instructionText();
}
