namespace AccidentRemote.Tests.Browser;

/// <summary>
/// A script added to every test page before the page's own scripts run (Playwright init scripts are
/// not subject to the page's CSP). It changes nothing the page does; it only keeps references so a
/// test can look inside:
/// <list type="bullet">
/// <item><c>__test.pcs</c>: every RTCPeerConnection the page made (for getStats);</item>
/// <item><c>__test.sockets</c>, <c>__test.received</c>: every WebSocket the page opened and every text frame it received
/// (the SignalR client's hub connection among them);</item>
/// <item><c>__test.invoke</c>: a hub invocation sent on the page's own, already authenticated, hub connection;</item>
/// <item><c>__test.raw*</c>: a second, hand-written SignalR JSON client (a WebSocket of the page's origin), for
/// messages the real client would never send.</item>
/// </list>
/// </summary>
public static class PageProbe
{
    public const string Script = """
(() => {
  if (window.__test) return;
  const RS = '\u001e';
  const pcs = [], sockets = [], received = [], raw = {};
  const Pc = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Pc {
    constructor(...args) { super(...args); pcs.push(this); }
  };
  const Ws = window.WebSocket;
  window.WebSocket = class extends Ws {
    constructor(...args) {
      super(...args);
      sockets.push(this);
      this.addEventListener('message', (e) => { if (typeof e.data === 'string') received.push(e.data); });
    }
  };
  const frames = (data) => String(data).split(RS).filter((p) => p.length > 0)
    .map((p) => { try { return JSON.parse(p); } catch { return null; } }).filter((m) => m !== null);
  let next = 0;
  // One invocation on a socket; resolves with the completion, or { closed: true } if the server closed it.
  const invokeOn = (ws, target, args) => new Promise((resolve) => {
    const id = 'test-' + (++next);
    const done = (value) => { ws.removeEventListener('message', onMessage); ws.removeEventListener('close', onClose); resolve(value); };
    const onMessage = (e) => { for (const m of frames(e.data)) if (m.type === 3 && m.invocationId === id) done({ error: m.error ?? null, result: m.result ?? null, closed: false }); };
    const onClose = (e) => done({ error: null, result: null, closed: true, code: e.code });
    ws.addEventListener('message', onMessage);
    ws.addEventListener('close', onClose);
    ws.send(JSON.stringify({ type: 1, invocationId: id, target, arguments: args }) + RS);
  });
  window.__test = {
    pcs, sockets, received,
    hubSocket() { return sockets.filter((s) => s.url.includes('/hubs/call') && s.readyState === 1).at(-1) ?? null; },
    invoke(target, args) {
      const ws = this.hubSocket();
      return ws ? invokeOn(ws, target, args) : Promise.resolve({ error: 'no open hub connection', closed: true });
    },
    closeHub() {
      let n = 0;
      for (const s of sockets) if (s.url.includes('/hubs/call') && s.readyState <= 1) { s.close(4000, 'test'); n++; }
      return n;
    },
    /** Hub events (invocation messages) this page received, e.g. signals(). */
    events(target) { return received.flatMap(frames).filter((m) => m.type === 1 && m.target === target).map((m) => m.arguments[0]); },
    async framesDecoded() {
      let total = 0;
      for (const pc of pcs) {
        if (pc.signalingState === 'closed') continue;
        const stats = await pc.getStats();
        stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') total += s.framesDecoded ?? 0; });
      }
      return total;
    },
    /** For each open connection: the selected candidate pair's local and remote candidate types. */
    async selectedPairs() {
      const out = [];
      for (const pc of pcs) {
        if (pc.signalingState === 'closed') continue;
        const stats = await pc.getStats();
        let pairId = null;
        stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId; });
        if (!pairId) stats.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pairId = s.id; });
        if (!pairId) continue;
        const pair = stats.get(pairId), local = stats.get(pair.localCandidateId), remote = stats.get(pair.remoteCandidateId);
        out.push({ ice: pc.iceConnectionState, local: local?.candidateType ?? null, remote: remote?.candidateType ?? null,
          localAddress: (local?.address ?? '') + ':' + (local?.port ?? ''), relayProtocol: local?.relayProtocol ?? null, url: local?.url ?? null });
      }
      return out;
    },
    async rawOpen(name, token) {
      const url = location.origin.replace(/^http/, 'ws') + '/hubs/call' + (token ? '?access_token=' + encodeURIComponent(token) : '');
      const ws = new Ws(url);
      const state = { ws, closed: null, pending: new Map() };
      raw[name] = state;
      ws.addEventListener('message', (e) => {
        for (const m of frames(e.data)) {
          if (m.type === 3 && state.pending.has(m.invocationId)) {
            state.pending.get(m.invocationId)({ error: m.error ?? null, result: m.result ?? null, closed: false });
            state.pending.delete(m.invocationId);
          }
        }
      });
      state.closedPromise = new Promise((r) => ws.addEventListener('close', (e) => {
        state.closed = { code: e.code, reason: e.reason };
        for (const resolve of state.pending.values()) resolve({ error: null, result: null, closed: true });
        state.pending.clear();
        r();
      }));
      const opened = await new Promise((r) => { ws.addEventListener('open', () => r(true)); ws.addEventListener('close', () => r(false)); });
      if (!opened) return { opened: false, closed: state.closed };
      const handshake = new Promise((r) => {
        const f = (e) => { ws.removeEventListener('message', f); r(String(e.data).split(RS)[0]); };
        ws.addEventListener('message', f);
        ws.addEventListener('close', () => r(null));
      });
      ws.send(JSON.stringify({ protocol: 'json', version: 1 }) + RS);
      return { opened: true, handshake: await handshake };
    },
    rawInvoke(name, target, args) {
      const state = raw[name];
      const id = 'raw-' + (++next);
      const p = new Promise((resolve) => state.pending.set(id, resolve));
      if (state.ws.readyState !== 1) { state.pending.delete(id); return Promise.resolve({ error: null, result: null, closed: true }); }
      state.ws.send(JSON.stringify({ type: 1, invocationId: id, target, arguments: args }) + RS);
      return p;
    },
    /** Sends count invocations at once, then tallies the answers: ok, each error text, and closed. */
    async rawFlood(name, target, args, count) {
      const all = [];
      for (let i = 0; i < count; i++) all.push(this.rawInvoke(name, target, args));
      const tally = { ok: 0, closed: 0, errors: {} };
      for (const r of await Promise.all(all)) {
        if (r.closed) tally.closed++;
        else if (r.error) tally.errors[r.error] = (tally.errors[r.error] ?? 0) + 1;
        else tally.ok++;
      }
      return tally;
    },
    rawSend(name, text) { raw[name].ws.send(text); },
    /** The close event of a raw connection, or null if the server had not closed it within 15 s. */
    rawClosed(name) { return Promise.race([raw[name].closedPromise.then(() => raw[name].closed), new Promise((r) => setTimeout(() => r(null), 15000))]); },
    rawIsOpen(name) { return raw[name].ws.readyState === 1; },
  };
})();
""";
}
