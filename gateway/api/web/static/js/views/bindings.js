// Bindings between Zigbee and KNX (our /bindings extension, being built): a read-only
// table of whatever each binding carries, shown only when /bindings answers.

import { api } from "../api.js";
import { clear, h } from "../dom.js";

function cell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function render(root, ctx) {
  const box = h("div", { class: "card", id: "binding-list" });
  root.append(h("h2", {}, "Zigbee ⇄ KNX bindings"), box);
  (async () => {
    let bindings;
    try { bindings = await api.get("/bindings"); } catch (err) { ctx.report(err); return; }
    clear(box);
    const entries = Object.entries(bindings || {});
    if (!entries.length) { box.append(h("p", { class: "muted" }, "No bindings yet.")); return; }
    const columns = [...new Set(entries.flatMap(([, b]) => Object.keys(b || {})))];
    box.append(h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "Id"), columns.map((c) => h("th", {}, c)))),
      h("tbody", {}, entries.map(([id, b]) => h("tr", {}, h("td", {}, id), columns.map((c) => h("td", {}, cell(b[c]))))))));
  })();
}

export default { render };
