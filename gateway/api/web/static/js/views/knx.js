// KNX: link state, the Thinknx device catalogue with each device's last status, and a live
// bus monitor (our extension: GET /knx, GET /knx/telegrams, websocket /api/<key>/knx/monitor).

import { api, apiKey } from "../api.js";
import { clear, h } from "../dom.js";

const MAX_ROWS = 300;
const REFRESH_MS = 3000;

function value(t) {
  if (t.kind === "read") return "read request";
  if (t.value === null || t.value === undefined) return t.raw;
  return `${t.value}${t.unit ? " " + t.unit : ""}`;
}

function telegramRow(t) {
  return h("tr", { class: `telegram dir-${t.direction}` },
    h("td", {}, t.time.slice(11)),
    h("td", { class: `dir-${t.direction}` }, t.direction === "in" ? "← in" : "→ out"),
    h("td", {}, t.source),
    h("td", {}, t.destination),
    h("td", {}, t.kind),
    h("td", { class: "value" }, value(t)),
    h("td", {}, t.device ? `${t.device} · ${t.controller}` : (t.dpt ? `DPT ${t.dpt}` : "")));
}

function render(root, ctx) {
  const stateBox = h("div", { id: "knx-state" }, "…");
  const devices = h("tbody", { id: "knx-devices" });
  const monitor = h("tbody", { id: "knx-monitor" });
  const monitorStatus = h("span", { class: "muted", id: "knx-monitor-status" }, "connecting…");
  let paused = false;
  const pause = h("button", { class: "quiet", onclick: () => { paused = !paused; pause.textContent = paused ? "Resume" : "Pause"; } }, "Pause");
  const clearBtn = h("button", { class: "quiet", onclick: () => clear(monitor) }, "Clear");

  root.append(
    h("h2", {}, "KNX"),
    h("div", { class: "card" }, h("h3", {}, "Link"), stateBox),
    h("div", { class: "card" },
      h("div", { class: "row" }, h("h3", { style: "flex:1;margin:0" }, "Bus monitor"), monitorStatus, pause, clearBtn),
      h("div", { class: "monitor" }, h("table", {},
        h("thead", {}, h("tr", {}, h("th", {}, "Time"), h("th", {}, ""), h("th", {}, "From"), h("th", {}, "To"), h("th", {}, "Kind"), h("th", {}, "Value"), h("th", {}, "Meaning"))),
        monitor))),
    h("div", { class: "card" }, h("h3", {}, "Devices"),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Device"), h("th", {}, "Controller"), h("th", {}, "Status address"), h("th", {}, "Value"))), devices)));

  function add(t) {
    if (paused) return;
    monitor.prepend(telegramRow(t));
    while (monitor.children.length > MAX_ROWS) monitor.lastChild.remove();
  }

  async function refresh() {
    let data;
    try { data = await api.get("/knx"); } catch (err) { stateBox.textContent = err.message; return; }
    const s = data.state;
    ctx.showKnx(s);
    clear(stateBox).append(
      h("p", { class: s.connected ? "" : "error" },
        s.connected ? `Connected (${s.mode}) since ${s.connectedsince} UTC as ${s.individualaddress}.`
          : `Not connected (${s.mode}: ${s.state}). The gateway reconnects by itself.`),
      h("p", { class: "muted" }, `Sent ${s.counters.sent} · received ${s.counters.received} · failed sends ${s.counters.sendfailures} · connects ${s.counters.connects} · losses ${s.counters.losses}`));
    clear(devices);
    for (const [guid, device] of Object.entries(data.devices)) {
      for (const [name, c] of Object.entries(device.controllers)) {
        devices.append(h("tr", { dataset: { guid, controller: name } },
          h("td", {}, device.name), h("td", {}, name), h("td", {}, c.status || "—"),
          h("td", { class: "num" }, !c.status ? "—" : c.value === null || c.value === undefined ? "not seen yet" : String(c.value))));
      }
    }
  }

  let socket = null, stopped = false, delay = 500;
  async function connect() {
    try {
      const history = await api.get("/knx/telegrams");
      clear(monitor);
      for (const t of history) add(t);
    } catch { /* the socket may still work */ }
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/api/${encodeURIComponent(apiKey())}/knx/monitor`);
    socket.onopen = () => { delay = 500; monitorStatus.textContent = "live"; };
    socket.onmessage = (m) => {
      try { const msg = JSON.parse(m.data); if (msg.e === "knx") add(msg.telegram); } catch { /* ignore */ }
    };
    socket.onclose = (e) => {
      monitorStatus.textContent = e.reason ? `closed: ${e.reason}` : "reconnecting…";
      if (!stopped) setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }

  refresh();
  connect();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => { stopped = true; clearInterval(timer); if (socket) socket.close(); };
}

export default { render };
