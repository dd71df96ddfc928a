// Camera and microphone: asking (with the explanation first), the constraints for a weak uplink,
// getting the camera back when it stops, mute, audio only and switching cameras.
import { byTestId } from "../lib/dom";
import { setText, t } from "../lib/i18n";
import { attachToCall } from "./call";

let local: MediaStream | null = null;
let facing: "environment" | "user" = "environment";
let audioOnly = false;
let muted = false;
let mediaDecided: Promise<void> | null = null;
let decide: (() => void) | null = null;

export async function checkMediaPermission(): Promise<void> {
  try {
    const [cam, mic] = await Promise.all([
      navigator.permissions.query({ name: "camera" as PermissionName }),
      navigator.permissions.query({ name: "microphone" as PermissionName }),
    ]);
    if (cam.state === "granted" && mic.state === "granted") await acquireMedia();
  } catch {
    // Permissions API without camera names (Firefox, older Safari): ask with the button.
  }
}

/** Resolves once the driver allowed (or declined) camera and microphone; shows the explanation first. */
export function mediaDecision(): Promise<void> {
  if (local) return Promise.resolve();
  byTestId("call-consent").hidden = false;
  mediaDecided ??= new Promise<void>((resolve) => { decide = resolve; });
  return mediaDecided;
}

export async function acquireMedia(): Promise<void> {
  const status = byTestId("media-status");
  if (!navigator.mediaDevices?.getUserMedia) {
    setText(status, "media.unsupported");
    finishDecision();
    return;
  }
  setText(status, "media.starting");
  try {
    local = await navigator.mediaDevices.getUserMedia({ audio: audioConstraints, video: audioOnly ? false : videoConstraints() });
  } catch {
    try {
      local = await navigator.mediaDevices.getUserMedia({ audio: audioConstraints, video: false });
      audioOnly = true;
    } catch {
      local = null;
    }
  }
  setText(status, local ? "media.ready" : "media.denied");
  byTestId("media-card").dataset.ready = local ? "true" : "false";
  byTestId<HTMLButtonElement>("media-consent").hidden = !!local;
  watchVideoTrack();
  showLocal();
  renderControls();
  finishDecision();
  await attachToCall();
}

export function finishDecision(): void {
  byTestId("call-consent").hidden = true;
  decide?.();
  decide = null;
  mediaDecided = Promise.resolve();
}

const audioConstraints: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

function videoConstraints(): MediaTrackConstraints {
  // 640x480 at 15 fps is enough to see damage and plates, and survives a weak uplink.
  return { facingMode: { ideal: facing }, width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 15, max: 24 } };
}

function showLocal(): void {
  const v = byTestId<HTMLVideoElement>("local-video");
  const hasVideo = !!local?.getVideoTracks().length;
  v.srcObject = hasVideo ? local : null;
  v.hidden = !hasVideo;
}

/** The camera can stop under us (another app took it, e.g. the photo capture): get it back. */
function watchVideoTrack(): void {
  const track = local?.getVideoTracks()[0];
  if (!track) return;
  track.onended = () => { if (!audioOnly && local?.getVideoTracks()[0] === track) void replaceVideo(); };
}

async function replaceVideo(): Promise<void> {
  if (!local) return;
  for (const old of local.getVideoTracks()) { old.stop(); local.removeTrack(old); }
  if (!audioOnly) {
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: videoConstraints() });
      local.addTrack(s.getVideoTracks()[0]!);
      watchVideoTrack();
    } catch {
      audioOnly = true;
    }
  }
  showLocal();
  renderControls();
  await attachToCall();
}

export async function setAudioOnly(on: boolean): Promise<void> {
  if (audioOnly === on) return;
  audioOnly = on;
  await replaceVideo();
}

export async function switchCamera(): Promise<void> {
  facing = facing === "environment" ? "user" : "environment";
  await replaceVideo();
}

export function toggleMute(): void {
  muted = !muted;
  local?.getAudioTracks().forEach((a) => { a.enabled = !muted; });
  renderControls();
}

export function renderControls(): void {
  const mute = byTestId("mute");
  mute.setAttribute("aria-pressed", String(muted));
  mute.textContent = t(muted ? "call.unmute" : "call.mute");
  const ao = byTestId("audio-only");
  ao.setAttribute("aria-pressed", String(audioOnly));
  ao.textContent = t(audioOnly ? "call.videoOn" : "call.audioOnly");
  byTestId<HTMLButtonElement>("switch-camera").disabled = audioOnly || !local;
  document.body.dataset.audioOnly = String(audioOnly);
  document.body.dataset.muted = String(muted);
}

export const isAudioOnly = (): boolean => audioOnly;

/** The tracks of this case's call, for attachTracks; null until the driver allowed them. */
export const localStream = (): MediaStream | null => local;

/** Starting over: the camera and microphone go off. */
export function stopMedia(): void {
  local?.getTracks().forEach((x) => x.stop());
  local = null;
}
