// Low light: about once a second the driver's own picture is drawn into a tiny canvas; when its
// mean luminance stays under a threshold the call screen says it is too dark and, where the phone's
// camera has a torch (track.getCapabilities().torch), offers to switch it on.
import { byTestId } from "../lib/dom";
import { setText } from "../lib/i18n";
import { localStream } from "./media";
import { state } from "./state";

/** Mean luma (0-255, BT.601 weights) under which the picture counts as dark; a lit street at night is well above it. */
export const darkLuma = 40;
/** Back above this (a little higher) to clear the warning, so it does not flicker at the edge. */
const lightLuma = 55;

let timer = 0;
let canvas: HTMLCanvasElement | null = null;
let dark = false;
let torchOn = false;

export function startLightWatch(): void {
  if (timer) return;
  timer = window.setInterval(sample, 1000);
}

export function stopLightWatch(): void {
  window.clearInterval(timer);
  timer = 0;
  dark = false;
  torchOn = false;
  render();
}

function sample(): void {
  const video = byTestId<HTMLVideoElement>("local-video");
  const track = localStream()?.getVideoTracks()[0];
  if (!state.inCall || state.left || !track || track.readyState !== "live" || video.hidden || video.readyState < 2 || !video.videoWidth) {
    if (dark) { dark = false; render(); }
    return;
  }
  canvas ??= document.createElement("canvas");
  canvas.width = 32;
  canvas.height = 24;
  const g = canvas.getContext("2d", { willReadFrequently: true });
  if (!g) return;
  g.drawImage(video, 0, 0, canvas.width, canvas.height);
  const px = g.getImageData(0, 0, canvas.width, canvas.height).data;
  let sum = 0;
  for (let i = 0; i < px.length; i += 4) sum += 0.299 * px[i]! + 0.587 * px[i + 1]! + 0.114 * px[i + 2]!;
  const luma = sum / (px.length / 4);
  document.body.dataset.luma = String(Math.round(luma));
  const next = dark ? luma < lightLuma : luma < darkLuma;
  if (next !== dark) { dark = next; render(); }
}

interface TorchCapabilities { torch?: boolean }

function torchTrack(): MediaStreamTrack | null {
  const track = localStream()?.getVideoTracks()[0];
  if (!track || typeof track.getCapabilities !== "function") return null;
  return (track.getCapabilities() as TorchCapabilities).torch ? track : null;
}

export function render(): void {
  // Once the torch is on, the warning stays with the button to switch it off.
  byTestId("low-light").hidden = !dark && !torchOn;
  const button = byTestId<HTMLButtonElement>("torch");
  button.hidden = !torchTrack();
  button.setAttribute("aria-pressed", String(torchOn));
  setText(button, torchOn ? "callScreen.torchOff" : "callScreen.torchOn");
}

export async function toggleTorch(): Promise<void> {
  const track = torchTrack();
  if (!track) return;
  try {
    await track.applyConstraints({ advanced: [{ torch: !torchOn } as MediaTrackConstraintSet] });
    torchOn = !torchOn;
  } catch {
    // The camera refused (another app holds the flash): the button stays as it was.
  }
  render();
}
