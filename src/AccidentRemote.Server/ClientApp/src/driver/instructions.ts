// Instructions from the officer (move the cars, take a photo, audio only, video, give details, end
// of call), the "cars moved" confirmation and the photo upload. Each instruction is put in view
// under the header, vibrates, and can be read aloud (automatically if the driver turned that on).
import { ApiError, api, upload } from "../lib/api";
import { onDelivered } from "../lib/outbox";
import type { Instruction } from "../lib/contract";
import { byTestId } from "../lib/dom";
import { has, lang, setPlain, setText, t, type Key } from "../lib/i18n";
import { runAction } from "./actionStatus";
import { endCall, enterCall, setFilming } from "./call";
import { problemText } from "./form";
import { setAudioOnly } from "./media";
import { askForDetails } from "./signing";
import { keepOffline } from "./offline";
import { state } from "./state";

let photoAngle: string | null = null;
let instructionText: (() => string) | null = null;

export function onInstruction(i: Instruction): void {
  const card = byTestId("instruction");
  const say = (key: Key, vars?: () => Record<string, string>) => {
    instructionText = () => t(key, vars?.());
    byTestId("instruction-text").textContent = instructionText();
    const status = byTestId("instruction-status");
    setPlain(status, "");
    delete status.dataset.action;
    if (status.nextElementSibling?.matches("[data-testid=instruction-status-retry]")) status.nextElementSibling.remove();
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
    case "details":
      say("instruction.details");
      askForDetails();
      break;
  }
  // The driver films the cars with their own camera: it becomes the big picture.
  setFilming(i.kind === "move-cars" || i.kind === "photo");
  // scroll-margin-top (driver.css) keeps it below the sticky header and banner.
  card.scrollIntoView({ block: "start" });
  navigator.vibrate?.([300, 150, 300]);
  if (speakAuto()) speakInstruction();
}

// ---------- reading aloud ----------

const speakKey = "ar.speak";

function speakAuto(): boolean {
  try {
    return localStorage.getItem(speakKey) === "1";
  } catch {
    return false;
  }
}

export function toggleSpeakAuto(): void {
  try {
    if (speakAuto()) localStorage.removeItem(speakKey);
    else localStorage.setItem(speakKey, "1");
  } catch {
    // Storage off: nothing to remember.
  }
  renderSpeak();
}

export function renderSpeak(): void {
  const on = speakAuto();
  const button = byTestId("speak-auto");
  button.setAttribute("aria-pressed", String(on));
  setText(button, on ? "callScreen.speakAutoOn" : "callScreen.speakAuto");
  const can = "speechSynthesis" in window;
  button.hidden = !can;
  byTestId("instruction-speak").hidden = !can;
}

/** Reads the current instruction in the page's language (a Chinese or English voice where the phone has one). */
export function speakInstruction(): void {
  if (!("speechSynthesis" in window) || !instructionText) return;
  const u = new SpeechSynthesisUtterance(instructionText());
  u.lang = lang === "en" ? "en-US" : "zh-CN";
  const voice = speechSynthesis.getVoices().find((v) => v.lang.replace("_", "-").toLowerCase().startsWith(lang === "en" ? "en" : "zh"));
  if (voice) u.voice = voice;
  u.rate = 0.9;
  speechSynthesis.cancel();
  speechSynthesis.speak(u);
}

// ---------- the driver's answers ----------

export async function confirmMoved(): Promise<void> {
  const session = state.session;
  if (!session) return;
  const button = byTestId<HTMLButtonElement>("moved-button");
  const path = `/api/cases/${session.caseId}/moved-confirmation`;
  let kept = false;
  await runAction({
    status: "instruction-status",
    button,
    sent: "instruction.movedThanks",
    run: async () => {
      kept = false;
      try {
        await api("POST", path);
      } catch (e) {
        // No network at all: kept on the phone and sent when it is back (lib/outbox.ts).
        if (e instanceof ApiError && e.offline && (await keepOffline("moved", "POST", path, undefined))) {
          kept = true;
          return;
        }
        throw e;
      }
    },
    done: () => {
      button.hidden = true;
      setFilming(false);
      if (kept) showKept("instruction-status");
    },
    failure: (e) => (e instanceof ApiError && !e.offline && e.status < 500 ? problemText(e) : null),
  });
}

/** An action kept for later: the status says so instead of "sent". */
export function showKept(testId: string): void {
  const status = byTestId(testId);
  status.dataset.action = "kept";
  setText(status, "outbox.kept");
}

onDelivered("moved", (error) => {
  const status = byTestId("instruction-status");
  if (error) setPlain(status, problemText(error));
  else setText(status, "instruction.movedThanks");
});

export async function uploadPhoto(input: HTMLInputElement): Promise<void> {
  const file = input.files?.[0];
  const session = state.session;
  if (!file || !session) return;
  const progress = byTestId<HTMLProgressElement>("photo-progress");
  const status = byTestId("instruction-status");
  const formData = new FormData();
  formData.append("file", file, file.name || "photo.jpg");
  formData.append("kind", "photo");
  if (photoAngle) formData.append("angle", photoAngle);
  if (session.latitude !== null && session.longitude !== null) {
    formData.append("latitude", String(session.latitude));
    formData.append("longitude", String(session.longitude));
  }
  input.value = "";
  progress.hidden = false;
  progress.value = 0;
  await runAction({
    status: "instruction-status",
    sending: "photo.sending",
    sent: "photo.sent",
    run: async (alive) => {
      await upload(`/api/cases/${session.caseId}/evidence`, formData, (f) => {
        alive();
        progress.value = f;
        setText(status, "photo.progress", { percent: Math.round(f * 100) });
      });
      progress.value = 1;
    },
    done: () => {
      status.dataset.uploaded = "true";
      setFilming(false);
    },
    failed: () => { status.dataset.uploaded = "false"; },
    failure: (e) => (e instanceof ApiError && e.status === 404 ? t("photo.unavailable") : e instanceof ApiError && !e.offline && e.status < 500 ? problemText(e) : null),
  });
}

export function renderInstruction(): void {
  if (instructionText) byTestId("instruction-text").textContent = instructionText();
}
