// The driver's actions that wait for the network (lib/outbox.ts), with this party's token.
import { keep } from "../lib/outbox";
import { state } from "./state";

/** Keeps an action for when the network is back; false when there is no case or this browser cannot store it. */
export async function keepOffline(kind: string, method: string, path: string, body: unknown): Promise<boolean> {
  if (!state.session) return false;
  try {
    await keep(kind, method, path, body, state.session.token);
    return true;
  } catch {
    return false;
  }
}
