// Sensors (deCONZ /sensors): buttons, presence, temperature (1/100 °C), humidity
// (1/100 %), light level, open/closed, battery. Shown only when /sensors answers.

import { api } from "../api.js";
import { clear, h } from "../dom.js";

const BUTTON_ACTIONS = { 0: "initial press", 1: "hold", 2: "short release", 3: "long release",
  4: "double press", 5: "triple press", 6: "quadruple press", 7: "shake", 8: "drop" };

export function describeState(state = {}, config = {}) {
  const parts = [];
  if ("buttonevent" in state && state.buttonevent !== null) {
    const button = Math.floor(state.buttonevent / 1000);
    parts.push(`button ${button} ${BUTTON_ACTIONS[state.buttonevent % 1000] || state.buttonevent}`);
  }
  if ("presence" in state) parts.push(state.presence ? "presence detected" : "no presence");
  if ("temperature" in state && state.temperature !== null) parts.push(`${(state.temperature / 100).toFixed(1)} °C`);
  if ("humidity" in state && state.humidity !== null) parts.push(`${(state.humidity / 100).toFixed(0)} %`);
  if ("pressure" in state) parts.push(`${state.pressure} hPa`);
  if ("lux" in state) parts.push(`${state.lux} lx`);
  else if ("lightlevel" in state) parts.push(`light level ${state.lightlevel}`);
  if ("open" in state) parts.push(state.open ? "open" : "closed");
  if ("water" in state) parts.push(state.water ? "water!" : "dry");
  if ("fire" in state) parts.push(state.fire ? "fire!" : "no fire");
  if ("daylight" in state) parts.push(state.daylight ? "daylight" : "dark");
  if (config.battery !== undefined && config.battery !== null) parts.push(`battery ${config.battery} %`);
  if (config.reachable === false) parts.push("not reachable");
  return parts.join(" · ") || "no reading yet";
}

function render(root, ctx) {
  const table = h("tbody");
  const empty = h("p", { class: "muted", hidden: true }, "No sensors yet.");
  root.append(h("h2", {}, "Sensors"), empty,
    h("div", { class: "card" }, h("table", { id: "sensor-list" },
      h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Type"), h("th", {}, "State"), h("th", {}, "Updated"))),
      table)));
  const rows = new Map();
  let sensors = {};

  function row(id) {
    const sensor = sensors[id];
    const tr = h("tr", { dataset: { id } },
      h("td", {}, sensor.name), h("td", {}, sensor.type || ""),
      h("td", { class: "state" }, describeState(sensor.state, sensor.config)),
      h("td", { class: "muted" }, (sensor.state && sensor.state.lastupdated) || ""));
    return tr;
  }

  async function load() {
    try { sensors = await api.get("/sensors"); } catch (err) { ctx.report(err); return; }
    clear(table);
    rows.clear();
    for (const id of Object.keys(sensors)) { const tr = row(id); rows.set(id, tr); table.append(tr); }
    empty.hidden = rows.size > 0;
  }

  const unsubscribe = ctx.live.subscribe((event) => {
    if (event.e === "resync" || (event.r === "sensors" && event.e !== "changed")) { load(); return; }
    if (event.r !== "sensors" || !sensors[event.id]) return;
    const sensor = sensors[event.id];
    if (event.state) sensor.state = { ...sensor.state, ...event.state };
    if (event.config) sensor.config = { ...sensor.config, ...event.config };
    const tr = row(event.id);
    rows.get(event.id)?.replaceWith(tr);
    rows.set(event.id, tr);
  });
  load();
  return unsubscribe;
}

export default { render };
