// RTCConfiguration from GET /api/ice-servers (short-lived TURN credentials), cached until near expiry.
import { api } from "./api";
import type { IceServersResponse } from "./contract";

let cached: { servers: RTCIceServer[]; until: number } | null = null;

export async function iceConfig(relayOnly: boolean): Promise<RTCConfiguration> {
  if (!cached || Date.now() > cached.until) {
    try {
      const r = await api<IceServersResponse>("GET", "/api/ice-servers");
      // Renew at half the lifetime so a connection made late still gets valid credentials.
      cached = { servers: r.iceServers ?? [], until: Date.now() + Math.max(30, r.ttlSeconds / 2) * 1000 };
    } catch {
      // Offline, or refused (a party once no call can happen): direct (host) candidates still work on one network.
      cached = { servers: [], until: Date.now() + 30000 };
    }
  }
  return { iceServers: cached.servers, iceTransportPolicy: relayOnly ? "relay" : "all", bundlePolicy: "max-bundle" };
}
