// The page: sign-in, a view per tab, live state. Plain ES modules, no build step.

import { api, apiKey, forgetKey, on, optional, signIn } from "./api.js";
import { clear, h, toast } from "./dom.js";
import { LiveEvents } from "./live.js";
import lights from "./views/lights.js";
import groups from "./views/groups.js";
import sensors from "./views/sensors.js";
import bindings from "./views/bindings.js";
import pairing from "./views/pairing.js";
import knx from "./views/knx.js";
import gateway from "./views/gateway.js";

const VIEWS = { lights, groups, sensors, bindings, pairing, knx, gateway };
// Sections built by other parts of the gateway: shown only when the API answers them.
const OPTIONAL = { groups: "/groups", sensors: "/sensors", bindings: "/bindings", knx: "/knx" };
const CONFIG_POLL_MS = 2000;

const $ = (id) => document.getElementById(id);
const live = new LiveEvents();
const configListeners = new Set();
let config = null;
let configError = null;
let radioErrorSeen = false;
let disposeView = null;
let pollTimer = null;
let available = new Set(["lights", "pairing", "gateway"]);

const ctx = {
  live,
  config: () => config,
  available: () => available,
  onConfig(fn) { configListeners.add(fn); if (config) fn(config); return () => configListeners.delete(fn); },
  refreshConfig,
  showKnx,
  report(err) {
    if (err && err.type === 1) return; // sign-in shows
    toast(err && err.message ? err.message : String(err), "bad");
  },
};

async function refreshConfig() {
  try {
    config = await api.get("/config");
    configError = null;
    if (config.rfconnected) radioErrorSeen = false;
    live.start(config.websocketport);
  } catch (err) {
    configError = err;
    if (err.type === 1) return null;
  }
  renderStatus();
  if (config) for (const fn of configListeners) fn(config);
  return config;
}

function showKnx(state) {
  const chip = $("chip-knx");
  chip.textContent = state.connected ? "KNX ok" : `KNX ${state.state}`;
  chip.className = `chip ${state.connected ? "ok" : "bad"}`;
}

async function refreshKnx() {
  if (!available.has("knx")) return;
  try { showKnx((await api.get("/knx")).state); } catch { /* the KNX view says why */ }
}

function renderStatus() {
  const banner = $("banner");
  const radio = $("chip-radio");
  let message = "";
  if (configError && configError.offline) {
    message = configError.message;
  } else if (config && (!config.rfconnected || radioErrorSeen)) {
    message = "Radio unavailable: the Zigbee stick is not connected. Lights cannot be switched until it is back; this page checks by itself.";
  }
  banner.textContent = message;
  banner.hidden = !message;
  if (config) {
    $("gateway-name").textContent = config.name;
    document.title = `${config.name} · Gateway`;
    radio.textContent = config.rfconnected ? `Radio ok · channel ${config.zigbeechannel}` : "Radio unavailable";
    radio.className = `chip ${config.rfconnected ? "ok" : "bad"}`;
  }
}

on("radio", () => { radioErrorSeen = true; renderStatus(); });
on("auth", (signedIn) => { if (!signedIn) showSignIn(); });

live.onStatus((connected) => {
  const chip = $("chip-live");
  chip.textContent = connected ? "Live" : "Live: reconnecting";
  chip.className = `chip ${connected ? "ok" : "warn"}`;
});

function showSignIn() {
  stopPolling();
  live.stop();
  if (disposeView) disposeView();
  disposeView = null;
  $("view").hidden = true;
  $("tabs").hidden = true;
  $("sign-out").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-form").password.focus();
}

async function probeOptional() {
  const found = new Set(["lights", "pairing", "gateway"]);
  await Promise.all(Object.entries(OPTIONAL).map(async ([view, resource]) => {
    try {
      if ((await optional(resource)) !== null) found.add(view);
    } catch { /* radio down or offline: keep the tab hidden until the next probe */ }
  }));
  available = found;
  for (const link of document.querySelectorAll("#tabs a[data-view]")) {
    link.hidden = !available.has(link.dataset.view);
  }
  $("chip-knx").hidden = !available.has("knx");
  refreshKnx();
}

function stopPolling() { clearInterval(pollTimer); pollTimer = null; }

async function start() {
  $("sign-in").hidden = true;
  $("tabs").hidden = false;
  $("sign-out").hidden = false;
  $("view").hidden = false;
  await refreshConfig();
  if (!apiKey()) return;
  await probeOptional();
  stopPolling();
  let polls = 0;
  pollTimer = setInterval(() => {
    refreshConfig();
    if (++polls % 3 === 0) refreshKnx();
  }, CONFIG_POLL_MS);
  route();
}

function route() {
  if (!apiKey()) return;
  let name = location.hash.replace(/^#/, "") || "lights";
  if (!VIEWS[name] || !available.has(name)) name = "lights";
  for (const link of document.querySelectorAll("#tabs a[data-view]")) {
    link.classList.toggle("active", link.dataset.view === name);
  }
  if (disposeView) disposeView();
  const root = clear($("view"));
  root.dataset.view = name;
  disposeView = VIEWS[name].render(root, ctx) || null;
}

window.addEventListener("hashchange", route);

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const error = $("sign-in-error");
  error.textContent = "";
  try {
    await signIn(form.user.value, form.password.value);
    form.password.value = "";
    await start();
  } catch (err) {
    error.textContent = err.type === 101 && err.status !== 429 ? "Wrong name or password." : err.message;
  }
});

$("sign-out").addEventListener("click", async () => {
  // Signing out revokes this page's key, so a shared screen keeps no access behind.
  const key = apiKey();
  try { await api.del(`/config/whitelist/${key}`); } catch { /* already gone */ }
  forgetKey();
  showSignIn();
});

// Tabs for sections that appear later (another engineer's feature, a KNX link coming up).
setInterval(() => { if (apiKey()) probeOptional(); }, 30000);

if (apiKey()) start(); else showSignIn();

