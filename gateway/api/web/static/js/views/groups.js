// Groups and their scenes (deCONZ /groups, /groups/<id>/action, /groups/<id>/scenes,
// .../scenes/<sid>/recall). Shown only when the gateway answers /groups.

import { api } from "../api.js";
import { clear, h, throttle, toast } from "../dom.js";

function render(root, ctx) {
  const grid = h("div", { class: "grid", id: "group-list" });
  const empty = h("p", { class: "muted", hidden: true }, "No groups yet.");
  const form = h("form", { class: "row" },
    h("input", { name: "name", placeholder: "New group name", maxlength: 32, required: true }),
    h("button", { type: "submit" }, "Create group"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.post("/groups", { name: form.name.value });
      form.name.value = "";
      load();
    } catch (err) { ctx.report(err); }
  });
  root.append(h("h2", {}, "Groups"), form, empty, grid);
  const cards = new Map();

  async function load() {
    let groups;
    try { groups = await api.get("/groups"); } catch (err) { ctx.report(err); return; }
    clear(grid);
    cards.clear();
    for (const [id, group] of Object.entries(groups)) {
      const card = groupCard(id, group, ctx);
      cards.set(id, card);
      grid.append(card.el);
    }
    empty.hidden = cards.size > 0;
  }

  const unsubscribe = ctx.live.subscribe((event) => {
    if (event.e === "resync" || (event.r === "groups" && event.e !== "changed")) { load(); return; }
    if (event.r === "groups" && event.e === "changed") {
      const card = cards.get(event.id);
      if (card) card.update(event);
    }
    if (event.r === "scenes") load();
  });
  load();
  return unsubscribe;
}

function groupCard(id, group, ctx) {
  const state = { ...(group.state || {}), ...(group.action || {}) };
  const toggle = h("input", { type: "checkbox", class: "switch", "aria-label": "On",
    checked: !!(state.any_on ?? state.on) });
  const send = async (body) => {
    try { await api.put(`/groups/${id}/action`, body); } catch (err) { ctx.report(err); }
  };
  toggle.addEventListener("change", () => send({ on: toggle.checked }));
  const bri = h("input", { type: "range", min: 1, max: 254, value: state.bri || 254, "aria-label": "Brightness" });
  const sendBri = throttle((v) => send({ bri: v }), 250);
  bri.addEventListener("input", () => sendBri(Number(bri.value)));
  const scenes = h("div", { class: "row scenes" });
  const el = h("div", { class: "item group", dataset: { id } },
    h("div", { class: "title" }, h("strong", {}, group.name), toggle),
    h("div", { class: "sub" }, `${(group.lights || []).length} lights · ${group.type || "group"}`),
    h("label", {}, "Brightness", bri),
    h("div", { class: "sub" }, "Scenes"), scenes);
  loadScenes(id, scenes, ctx);
  return {
    el,
    update(event) {
      const s = { ...(event.state || {}), ...(event.action || {}) };
      if ("any_on" in s || "on" in s) toggle.checked = !!(s.any_on ?? s.on);
      if ("bri" in s && document.activeElement !== bri) bri.value = s.bri;
    },
  };
}

async function loadScenes(gid, box, ctx) {
  let scenes = {};
  try { scenes = await api.get(`/groups/${gid}/scenes`); } catch { scenes = {}; }
  clear(box);
  const entries = Object.entries(scenes || {});
  if (!entries.length) box.append(h("span", { class: "muted" }, "none"));
  for (const [sid, scene] of entries) {
    box.append(h("button", { class: "quiet", onclick: async () => {
      try {
        await api.put(`/groups/${gid}/scenes/${sid}/recall`, {});
        toast(`Scene “${scene.name}” recalled`);
      } catch (err) { ctx.report(err); }
    } }, scene.name || `Scene ${sid}`));
  }
  box.append(h("button", { class: "quiet", title: "Store the lights' current state as a scene", onclick: async () => {
    const name = prompt("Name of the new scene");
    if (!name) return;
    try {
      await api.post(`/groups/${gid}/scenes`, { name });
      loadScenes(gid, box, ctx);
    } catch (err) { ctx.report(err); }
  } }, "+ Save scene"));
}

export default { render };
