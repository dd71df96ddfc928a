// The driver page as an installable app: registers the service worker (sw.ts, the offline shell) and
// sends the actions kept while offline (outbox.ts) when the network comes back and on each load.
import { flush } from "./outbox";

export function startShell(): void {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
  }
  window.addEventListener("online", () => void flush());
  void flush();
}
