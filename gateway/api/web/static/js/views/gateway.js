// The gateway itself: name, channel, unlock for apps, API keys, admin password, health,
// version, and backup/restore (our extension, shown when the gateway offers it).

import { api, apiKey, basicToken, optional } from "../api.js";
import { clear, confirmDialog, h, toast } from "../dom.js";

const CHANNELS = [11, 15, 20, 25, 12, 13, 14, 16, 17, 18, 19, 21, 22, 23, 24, 26];
const UNLOCK_SECONDS = 60;

function render(root, ctx) {
  const nameForm = h("form", { class: "row", id: "name-form" },
    h("input", { name: "name", maxlength: 16, "aria-label": "Gateway name" }), h("button", { type: "submit" }, "Rename"));
  // What a person typed or picked and has not applied yet: the page repaints from the
  // config every 2 s, and a repaint must not put the old value back behind their back
  // (focus alone does not tell: it has moved to the button by the time they press it).
  let nameTyped = false;
  nameForm.name.addEventListener("input", () => { nameTyped = true; });
  nameForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    try { await api.put("/config", { name: nameForm.name.value }); nameTyped = false; toast("Name saved"); ctx.refreshConfig(); } catch (err) { ctx.report(err); }
  });

  const channel = h("select", { id: "channel", "aria-label": "Zigbee channel" }, [...CHANNELS].sort((a, b) => a - b).map((c) => h("option", { value: c }, `${c}`)));
  const channelBtn = h("button", { id: "change-channel" }, "Change channel");
  let channelPicked = false;
  channel.addEventListener("change", () => { channelPicked = true; });
  channelBtn.addEventListener("click", async () => {
    const to = Number(channel.value);
    const config = ctx.config();
    if (config && to === config.zigbeechannel) { channelPicked = false; toast(`Already on channel ${to}`); return; }
    if (!await confirmDialog(`Move the Zigbee network to channel ${to}? Devices follow within a minute; sleepy sensors may need a button press.`, "Change channel")) return;
    try { await api.put("/config", { zigbeechannel: to }); channelPicked = false; toast(`Moving to channel ${to}…`); } catch (err) { ctx.report(err); }
  });

  const unlockBtn = h("button", { id: "unlock" }, `Unlock for apps (${UNLOCK_SECONDS} s)`);
  const unlockInfo = h("span", { class: "countdown", id: "unlock-countdown" });
  let unlockUntil = 0;
  unlockBtn.addEventListener("click", async () => {
    try {
      await api.put("/config", { unlock: UNLOCK_SECONDS });
      unlockUntil = Date.now() + UNLOCK_SECONDS * 1000;
      tick();
      ctx.refreshConfig();
    } catch (err) { ctx.report(err); }
  });
  function tick() {
    const left = Math.max(0, Math.ceil((unlockUntil - Date.now()) / 1000));
    const config = ctx.config();
    unlockInfo.textContent = left > 0 && (!config || config.linkbutton) ? `${left} s` : "";
  }
  const ticker = setInterval(tick, 500);

  const keys = h("tbody", { id: "key-list" });
  const health = h("dl", { id: "health" });

  const pwForm = h("form", { id: "password-form" },
    h("label", {}, "Name", h("input", { name: "user", autocomplete: "username", value: "delight" })),
    h("label", {}, "Current password", h("input", { name: "old", type: "password", autocomplete: "current-password", required: true })),
    h("label", {}, "New password", h("input", { name: "new1", type: "password", autocomplete: "new-password", required: true, minlength: 8 })),
    h("label", {}, "New password again", h("input", { name: "new2", type: "password", autocomplete: "new-password", required: true })),
    h("button", { type: "submit" }, "Change password"),
    h("p", { class: "error", id: "password-error", role: "alert" }));
  pwForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const error = pwForm.querySelector("#password-error");
    error.textContent = "";
    const user = pwForm.user.value;
    if (pwForm.new1.value !== pwForm.new2.value) { error.textContent = "The new passwords differ."; return; }
    try {
      await api.put("/config/password", {
        username: user, oldhash: basicToken(user, pwForm.old.value), newhash: basicToken(user, pwForm.new1.value),
      });
      pwForm.reset();
      toast("Password changed. Use the new one next time you sign in.");
    } catch (err) {
      error.textContent = err.items && err.items[0] && /oldhash/.test(err.items[0].description || "")
        ? "The current password is wrong." : err.message;
    }
  });

  const backupBox = h("div", { id: "backup" });

  root.append(
    h("h2", {}, "Gateway"),
    h("div", { class: "grid" },
      h("div", { class: "card" }, h("h3", {}, "Name"), nameForm),
      h("div", { class: "card" }, h("h3", {}, "Health"), health),
      h("div", { class: "card" }, h("h3", {}, "Zigbee channel"), h("div", { class: "row" }, channel, channelBtn)),
      h("div", { class: "card" }, h("h3", {}, "Let an app connect"),
        h("p", { class: "muted" }, "Apps such as Home Assistant may register while the gateway is unlocked."),
        h("div", { class: "row" }, unlockBtn, unlockInfo))),
    h("div", { class: "card" }, h("h3", {}, "Apps with access"),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Key id"), h("th", {}, "App"), h("th", {}, "Created"), h("th", {}, "Last used"), h("th", {}, ""))), keys)),
    h("div", { class: "grid" },
      h("div", { class: "card" }, h("h3", {}, "Admin password"), pwForm),
      h("div", { class: "card" }, h("h3", {}, "Backup"), backupBox)));

  let ownKeyId = null;
  const paint = (config) => {
    if (document.activeElement !== nameForm.name && !nameTyped) nameForm.name.value = config.name;
    if (document.activeElement !== channel && !channelPicked) channel.value = String(config.zigbeechannel);
    clear(health).append(...[
      ["Radio", config.rfconnected ? `connected (firmware ${config.fwversion || "?"})` : "unavailable"],
      ["Channel / PAN", `${config.zigbeechannel} / 0x${Number(config.panid || 0).toString(16).padStart(4, "0")}`],
      ["KNX", document.getElementById("chip-knx").hidden ? "not configured" : document.getElementById("chip-knx").textContent],
      ["Version", `${config.swversion} (API ${config.apiversion})`],
      ["Bridge id", config.bridgeid],
      ["Address", `${config.ipaddress} · ${config.mac}`],
    ].flatMap(([k, v]) => [h("dt", { class: "muted" }, k), h("dd", {}, v)]));
    clear(keys);
    for (const [id, entry] of Object.entries(config.whitelist || {})) {
      const own = id === ownKeyId;
      keys.append(h("tr", { dataset: { keyid: id } },
        h("td", {}, h("code", {}, id)), h("td", {}, entry.name, own ? " (this page)" : ""),
        h("td", {}, entry["create date"]), h("td", {}, entry["last use date"]),
        h("td", {}, h("button", { class: "quiet", onclick: async () => {
          if (!await confirmDialog(`Revoke access for “${entry.name}”?${own ? " This signs this page out." : ""}`, "Revoke")) return;
          try { await api.del(`/config/whitelist/${id}`); ctx.refreshConfig(); } catch (err) { ctx.report(err); }
        } }, "Revoke"))));
    }
  };
  const offConfig = ctx.onConfig(paint);
  ownKeyIdOf(apiKey()).then((id) => { ownKeyId = id; if (ctx.config()) paint(ctx.config()); });

  renderBackup(backupBox, ctx);
  return () => { offConfig(); clearInterval(ticker); };
}

// The whitelist lists key ids (start of the key's SHA-256), never keys; browsers offer
// SHA-256 only on secure origins (https, localhost), so elsewhere the mark is left out.
async function ownKeyIdOf(key) {
  if (!key || !(window.crypto && crypto.subtle)) return null;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
}

async function renderBackup(box, ctx) {
  let info = null;
  try { info = await optional("/backup"); } catch { info = null; }
  clear(box);
  if (info === null) {
    box.append(h("p", { class: "muted" }, "This gateway offers no backup download."));
    return;
  }
  const file = h("input", { type: "file", accept: ".tar.gz,application/gzip", "aria-label": "Backup file" });
  const restore = h("button", { class: "danger" }, "Restore");
  restore.addEventListener("click", async () => {
    if (!file.files.length) { toast("Choose a backup file first", "bad"); return; }
    if (!await confirmDialog("Restore this backup? The gateway uses it after its next restart; the current network and settings are replaced.", "Restore")) return;
    try {
      const response = await fetch(api.url("/backup/restore"), { method: "POST", body: file.files[0], headers: { "Content-Type": "application/gzip" } });
      const data = await response.json();
      if (!response.ok) throw new Error((data[0] && data[0].error && data[0].error.description) || `HTTP ${response.status}`);
      toast("Backup accepted. Restart the gateway to use it.");
    } catch (err) { ctx.report(err); }
  });
  box.append(
    h("p", { class: "muted" }, "One file with the Zigbee network (keys, channel) and the database. Keep it private: it holds the network key."),
    h("p", {}, h("a", { href: api.url("/backup/download"), download: "", id: "backup-download" }, "Download backup")),
    h("div", { class: "row" }, file, restore),
    h("p", { class: "muted" }, info.pending ? "A restore is waiting for the next restart." : ""));
}

export default { render };
