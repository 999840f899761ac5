// Lights: live state, switch, dim, colour temperature, colour, rename, delete.

import { api } from "../api.js";
import { clear, confirmDialog, h, throttle, toast } from "../dom.js";
import { ctToHex, hexToXy, miredToKelvin, xyToHex } from "../color.js";

const SLIDER_MS = 250;

export function lightSwatch(state) {
  if (!state || !state.on) return "#555";
  if (state.colormode === "ct" && state.ct) return ctToHex(state.ct);
  if (state.xy) return xyToHex(state.xy);
  return "#ffd27a";
}

function render(root, ctx) {
  const grid = h("div", { class: "grid", id: "light-list" });
  const empty = h("p", { class: "muted", hidden: true },
    "No lights yet. Open “Add devices” to pair lamps, or reset a lamp nearby with touchlink.");
  root.append(h("div", { class: "row" }, h("h2", { style: "flex:1" }, "Lights")), empty, grid);
  const cards = new Map();
  let lights = {};

  async function load() {
    try {
      lights = await api.get("/lights");
    } catch (err) {
      ctx.report(err);
      return;
    }
    clear(grid);
    cards.clear();
    for (const [id, light] of Object.entries(lights)) addCard(id, light);
    empty.hidden = Object.keys(lights).length > 0;
  }

  function addCard(id, light) {
    const card = new LightCard(id, light, ctx, () => { cards.delete(id); delete lights[id]; empty.hidden = cards.size > 0; });
    cards.set(id, card);
    grid.append(card.el);
    empty.hidden = true;
  }

  const unsubscribe = ctx.live.subscribe((event) => {
    if (event.e === "resync") { load(); return; }
    if (event.r !== "lights") return;
    const card = cards.get(event.id);
    if (event.e === "changed" && card) card.update(event);
    else if (event.e === "added") {
      if (card) card.update({ state: event.light.state, name: event.light.name });
      else addCard(event.id, event.light);
    } else if (event.e === "deleted" && card) card.remove();
  });
  load();
  return () => unsubscribe();
}

class LightCard {
  constructor(id, light, ctx, onRemoved) {
    this.id = id;
    this.light = light;
    this.ctx = ctx;
    this.onRemoved = onRemoved;
    this.el = h("div", { class: "item light", dataset: { id } });
    this.build();
    this.paint();
  }

  async send(body) {
    try {
      await api.put(`/lights/${this.id}/state`, body);
    } catch (err) {
      this.ctx.report(err);
      this.paint();
    }
  }

  build() {
    const state = this.light.state || {};
    this.swatch = h("span", { class: "swatch" });
    this.name = h("strong", { class: "name" });
    this.toggle = h("input", { type: "checkbox", class: "switch", "aria-label": "On", onchange: () => {
      this.light.state.on = this.toggle.checked;
      this.paint();
      this.send({ on: this.toggle.checked });
    } });
    this.sub = h("div", { class: "sub" });
    this.bri = h("input", { type: "range", min: 1, max: 254, class: "bri", "aria-label": "Brightness" });
    const sendBri = throttle((v) => this.send({ bri: v }), SLIDER_MS);
    this.bri.addEventListener("input", () => sendBri(Number(this.bri.value)));
    this.el.append(h("div", { class: "title" }, this.swatch, this.name, this.toggle), this.sub);
    if ("bri" in state) this.el.append(h("label", {}, "Brightness", this.bri));
    if ("ct" in state) {
      const ctmin = this.light.ctmin || 153, ctmax = this.light.ctmax || 500;
      this.ct = h("input", { type: "range", min: ctmin, max: ctmax, class: "ct", "aria-label": "Colour temperature" });
      this.ctLabel = h("span");
      const sendCt = throttle((v) => this.send({ ct: v }), SLIDER_MS);
      this.ct.addEventListener("input", () => { this.ctLabel.textContent = `${miredToKelvin(Number(this.ct.value))} K`; sendCt(Number(this.ct.value)); });
      this.el.append(h("label", {}, h("span", {}, "White ", this.ctLabel), this.ct));
    }
    if ("xy" in state || "hue" in state) {
      this.color = h("input", { type: "color", class: "color", "aria-label": "Colour" });
      this.color.addEventListener("change", () => this.send({ xy: hexToXy(this.color.value) }));
      this.el.append(h("label", { class: "inline" }, "Colour ", this.color));
    }
    this.el.append(h("div", { class: "row" },
      h("button", { class: "quiet rename", onclick: () => this.rename() }, "Rename"),
      h("button", { class: "quiet delete", onclick: () => this.delete() }, "Delete")));
  }

  paint() {
    const light = this.light;
    const state = light.state || {};
    this.name.textContent = light.name;
    this.name.title = light.name;
    this.toggle.checked = !!state.on;
    this.toggle.disabled = state.reachable === false;
    this.swatch.style.background = lightSwatch(state);
    const parts = [light.type || "Light"];
    if (state.reachable === false) parts.unshift("Not reachable");
    else parts.push(state.on ? `on · ${Math.round(((state.bri || 254) / 254) * 100)} %` : "off");
    this.sub.textContent = parts.join(" · ");
    this.el.classList.toggle("off", !state.on);
    this.el.classList.toggle("unreachable", state.reachable === false);
    this.el.dataset.on = state.on ? "true" : "false";
    if (document.activeElement !== this.bri && "bri" in state) this.bri.value = state.bri;
    if (this.ct && document.activeElement !== this.ct && state.ct) {
      this.ct.value = state.ct;
      this.ctLabel.textContent = `${miredToKelvin(state.ct)} K`;
    }
    if (this.color && document.activeElement !== this.color && state.xy) this.color.value = xyToHex(state.xy);
  }

  update(event) {
    if (event.state) this.light.state = { ...this.light.state, ...event.state };
    if (event.name) this.light.name = event.name;
    if (event.attr && event.attr.name) this.light.name = event.attr.name;
    this.paint();
  }

  async rename() {
    const input = h("input", { value: this.light.name, maxlength: 32, "aria-label": "New name" });
    const form = h("form", { class: "row rename-form" }, input, h("button", { type: "submit" }, "Save"),
      h("button", { type: "button", class: "quiet", onclick: () => form.remove() }, "Cancel"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api.put(`/lights/${this.id}`, { name: input.value });
        this.light.name = input.value;
        this.paint();
        form.remove();
      } catch (err) { this.ctx.report(err); }
    });
    this.el.append(form);
    input.focus();
    input.select();
  }

  async delete() {
    if (!await confirmDialog(`Delete “${this.light.name}”? It leaves the network and must be paired again.`, "Delete")) return;
    try {
      await api.del(`/lights/${this.id}`, { reset: true });
      toast(`${this.light.name} deleted`);
      this.remove();
    } catch (err) { this.ctx.report(err); }
  }

  remove() {
    this.el.remove();
    this.onRemoved();
  }
}

export default { render };
