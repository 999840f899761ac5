// Adding devices: open the network with a countdown (config.permitjoin), show each device
// as it joins (websocket "added" events, and GET /lights as a fallback), and touchlink:
// scan with progress, identify, reset to factory new (docs/touchlink.md).

import { api } from "../api.js";
import { clear, confirmDialog, h, toast } from "../dom.js";

const OPEN_SECONDS = 60;
const SCAN_EXPECTED_S = 10; // about 10 s: 20 channel slots of 0.25 s plus settling

function render(root, ctx) {
  const countdown = h("div", { class: "countdown", id: "permitjoin-countdown" }, "");
  const status = h("p", { id: "permitjoin-status", class: "muted" }, "The network is closed.");
  const openBtn = h("button", { id: "open-network" }, `Add devices (open for ${OPEN_SECONDS} s)`);
  const closeBtn = h("button", { id: "close-network", class: "quiet", hidden: true }, "Stop searching");
  const joined = h("ul", { id: "joined-list" });
  let known = null;

  openBtn.addEventListener("click", async () => {
    try {
      known = new Set(Object.keys(await api.get("/lights")));
      clear(joined);
      await api.put("/config", { permitjoin: OPEN_SECONDS });
      await ctx.refreshConfig();
    } catch (err) { ctx.report(err); }
  });
  closeBtn.addEventListener("click", async () => {
    try { await api.put("/config", { permitjoin: 0 }); await ctx.refreshConfig(); } catch (err) { ctx.report(err); }
  });

  function showJoined(id, light) {
    if (joined.querySelector(`[data-id="${CSS.escape(id)}"]`)) return;
    joined.append(h("li", { dataset: { id } }, h("strong", {}, light.name), ` — ${light.type || "device"} (${light.uniqueid || ""})`));
  }

  let polling = false;
  async function pollNewLights() {
    if (polling || known === null) return;
    polling = true;
    try {
      const lights = await api.get("/lights");
      for (const [id, light] of Object.entries(lights)) if (!known.has(id)) showJoined(id, light);
    } catch { /* shown by the banner */ } finally { polling = false; }
  }

  const offConfig = ctx.onConfig((config) => {
    const left = config.permitjoin;
    const open = left > 0;
    countdown.textContent = open ? (left === 255 ? "open" : `${left} s`) : "";
    status.textContent = open
      ? "Searching: power on new lamps or sensors now (a lamp must be factory new)."
      : "The network is closed.";
    openBtn.hidden = open;
    closeBtn.hidden = !open;
    if (open) pollNewLights();
  });
  const offLive = ctx.live.subscribe((event) => {
    if (event.e === "added" && (event.r === "lights" || event.r === "sensors")) {
      showJoined(event.id, event.light || event.sensor || { name: `${event.r} ${event.id}` });
    }
  });

  root.append(
    h("h2", {}, "Add devices"),
    h("div", { class: "card" },
      h("h3", {}, "Pair new devices"),
      h("p", {}, "Opens the Zigbee network so new lamps and sensors can join. Each one appears below as it joins."),
      h("div", { class: "row" }, openBtn, closeBtn, countdown), status,
      h("h3", {}, "Joined"), joined),
    touchlinkCard(ctx));

  return () => { offConfig(); offLive(); };
}

function touchlinkCard(ctx) {
  const progress = h("progress", { id: "touchlink-progress", max: 100, value: 0, hidden: true });
  const scanBtn = h("button", { id: "touchlink-scan" }, "Scan nearby");
  const info = h("p", { class: "muted", id: "touchlink-status" },
    "Touchlink finds lamps within about 50 cm of the gateway, even ones paired elsewhere.");
  const results = h("tbody", { id: "touchlink-results" });

  async function poll(started) {
    let status;
    try { status = await api.get("/touchlink/scan"); } catch (err) {
      ctx.report(err); scanBtn.disabled = false; progress.hidden = true; return;
    }
    if (status.scanstate === "scanning") {
      const elapsed = (Date.now() - started) / 1000;
      progress.value = Math.min(95, (elapsed / SCAN_EXPECTED_S) * 100);
      info.textContent = `Scanning channels… ${Math.floor(elapsed)} s`;
      setTimeout(() => poll(started), 500);
      return;
    }
    progress.value = 100;
    scanBtn.disabled = false;
    show(status);
  }

  function show(status) {
    clear(results);
    const found = Object.entries(status.result || {});
    info.textContent = found.length
      ? `Found ${found.length} device(s) (scan of ${status.lastscan}).`
      : `Nothing found${status.lastscan !== "none" ? ` (scan of ${status.lastscan})` : ""}. Hold the lamp close to the gateway.`;
    for (const [id, r] of found) {
      results.append(h("tr", { dataset: { id } },
        h("td", {}, `${r.address}`), h("td", { class: "num" }, r.channel), h("td", { class: "num" }, `${r.rssi} dBm`),
        h("td", {}, r.factorynew ? "factory new" : "paired"),
        h("td", {},
          h("button", { class: "quiet", onclick: () => command(id, "identify") }, "Identify"),
          h("button", { class: "quiet danger-text", onclick: () => command(id, "reset") }, "Reset"))));
    }
  }

  async function command(id, what) {
    if (what === "reset" && !await confirmDialog("Reset this lamp to factory new? It leaves its current network.", "Reset")) return;
    try {
      await api.post(`/touchlink/${id}/${what}`);
      toast(what === "identify" ? "The lamp should blink now." : "Reset sent: the lamp is factory new and can be paired.");
    } catch (err) { ctx.report(err); }
  }

  scanBtn.addEventListener("click", async () => {
    scanBtn.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    try {
      await api.post("/touchlink/scan");
      poll(Date.now());
    } catch (err) {
      ctx.report(err);
      scanBtn.disabled = false;
      progress.hidden = true;
    }
  });

  return h("div", { class: "card" },
    h("h3", {}, "Touchlink"), info, h("div", { class: "row" }, scanBtn), progress,
    h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Address"), h("th", {}, "Channel"), h("th", {}, "Signal"), h("th", {}, "State"), h("th", {}, ""))), results));
}

export default { render };
