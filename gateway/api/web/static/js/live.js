// Live updates: the deCONZ websocket on config.websocketport, reconnected with back-off.
// Events are {"t":"event","e":"changed|added|deleted","r":"lights|groups|sensors",...}
// (docs/zigbee.md). A reconnect means events may have been missed, so subscribers are
// told to re-read ("resync").

export class LiveEvents {
  constructor() {
    this.handlers = new Set();
    this.statusHandlers = new Set();
    this.socket = null;
    this.port = null;
    this.delay = 500;
    this.stopped = false;
    this.connected = false;
  }

  subscribe(fn) { this.handlers.add(fn); return () => this.handlers.delete(fn); }
  onStatus(fn) { this.statusHandlers.add(fn); fn(this.connected); }

  start(port) {
    if (this.port === port && this.socket) return;
    this.port = port;
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    if (this.socket) this.socket.close();
    this.socket = null;
  }

  setStatus(connected) {
    this.connected = connected;
    for (const fn of this.statusHandlers) fn(connected);
  }

  open() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    let socket;
    try {
      socket = new WebSocket(`${scheme}://${location.hostname}:${this.port}/`);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.delay = 500;
      this.setStatus(true);
      this.dispatch({ e: "resync" });
    };
    socket.onmessage = (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch { return; }
      this.dispatch(event);
    };
    socket.onclose = () => {
      if (this.socket === socket) this.socket = null;
      this.setStatus(false);
      this.retry();
    };
  }

  retry() {
    if (this.stopped) return;
    setTimeout(() => { if (!this.stopped && !this.socket) this.open(); }, this.delay);
    this.delay = Math.min(this.delay * 2, 10000);
  }

  dispatch(event) {
    for (const fn of this.handlers) {
      try { fn(event); } catch (err) { console.error(err); }
    }
  }
}
