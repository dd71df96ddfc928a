// The SignalR connection to /hubs/call (docs/signalling.md). It is optional for the pages: without it
// they still work over HTTP and say that live updates are off.
import { HubConnection, HubConnectionBuilder, LogLevel } from "@microsoft/signalr";

export interface HubEvents {
  onReconnecting(): void;
  onReconnected(): void;
  /** The first start failed several times, or automatic reconnection gave up. */
  onDown(): void;
}

/** Handlers a self-contained page module adds for every hub the page builds (e.g. driver/phrases.ts). */
const extraHandlers: Array<[string, (...args: never[]) => void]> = [];

export function onHubEvent<T>(name: string, handler: (message: T) => void): void {
  extraHandlers.push([name, handler as (...args: never[]) => void]);
}

export function buildHub(token: () => string | null): HubConnection {
  const hub = new HubConnectionBuilder()
    .withUrl("/hubs/call", { accessTokenFactory: () => token() ?? "" })
    .withAutomaticReconnect([0, 1000, 2000, 5000, 5000, 10000])
    .configureLogging(LogLevel.Warning)
    .build();
  for (const [name, handler] of extraHandlers) hub.on(name, handler as (...args: unknown[]) => void);
  return hub;
}

/** Starts the connection, retrying the first start (automatic reconnect only covers later drops). */
export async function startHub(connection: HubConnection, events: HubEvents): Promise<boolean> {
  connection.onreconnecting(() => events.onReconnecting());
  connection.onreconnected(() => events.onReconnected());
  connection.onclose(() => events.onDown());
  const delays = [0, 1000, 3000];
  for (const delay of delays) {
    if (delay) await new Promise((r) => setTimeout(r, delay));
    try {
      await connection.start();
      return true;
    } catch {
      // The network is down, or the server refused (a token that no longer opens the hub): try again, then give up politely.
    }
  }
  events.onDown();
  return false;
}

/** Runs signalling steps one after another: the SignalR client does not await handlers, so without
 *  this an ICE candidate can be applied before the offer it belongs to. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  run(step: () => Promise<void>, onError: (e: unknown) => void): void {
    this.tail = this.tail.then(step).catch(onError);
  }
}

/** ICE candidates that arrive before the remote description is set wait here. */
export class CandidateBuffer {
  private pending: RTCIceCandidateInit[] = [];

  async add(pc: RTCPeerConnection | null, c: RTCIceCandidateInit | null): Promise<void> {
    // End of candidates (null) is skipped: trickle ICE works without it, and browsers disagree on its form.
    if (!c) return;
    const init = c;
    if (pc?.remoteDescription) await pc.addIceCandidate(init);
    else this.pending.push(init);
  }

  async flush(pc: RTCPeerConnection): Promise<void> {
    const list = this.pending;
    this.pending = [];
    for (const c of list) {
      try {
        await pc.addIceCandidate(c);
      } catch {
        // A candidate from an older ICE generation: harmless to drop.
      }
    }
  }

  clear(): void {
    this.pending = [];
  }
}

export function toIceInit(c: { candidate: string | null; sdpMid: string | null; sdpMLineIndex: number | null; usernameFragment: string | null } | null): RTCIceCandidateInit | null {
  if (!c || !c.candidate) return null;
  return { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex, usernameFragment: c.usernameFragment };
}

export function fromIce(c: RTCIceCandidate | null): { candidate: string | null; sdpMid: string | null; sdpMLineIndex: number | null; usernameFragment: string | null } | null {
  if (!c) return null;
  return { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex, usernameFragment: c.usernameFragment };
}
