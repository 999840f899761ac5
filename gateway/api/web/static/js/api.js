// The deCONZ REST API as the page uses it: one key of its own (localStorage), bounded
// waits (a request never hangs the page), errors as ApiProblem with words for people.

import { ApiProblem, offline } from "./errors.js";

const KEY_STORE = "gateway.apikey";
const TIMEOUT_MS = 8000;
const listeners = { radio: [], auth: [] };

export function on(event, fn) { listeners[event].push(fn); }
function emit(event, value) { for (const fn of listeners[event]) fn(value); }

export function apiKey() { return localStorage.getItem(KEY_STORE); }
export function forgetKey() { localStorage.removeItem(KEY_STORE); }

async function request(method, url, body, headers = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
      cache: "no-store",
    });
  } catch (err) {
    throw offline(err.name === "AbortError" ? "timeout" : "network");
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  const errors = Array.isArray(data) ? data.filter((x) => x && x.error).map((x) => x.error) : [];
  if (!response.ok || errors.length) {
    const problem = new ApiProblem(errors.length ? errors : [{ type: 0, description: `HTTP ${response.status}` }], response.status);
    if (problem.type === 950) emit("radio", false);
    if (problem.type === 1) { forgetKey(); emit("auth", false); }
    throw problem;
  }
  return data;
}

function path(resource) { return `/api/${encodeURIComponent(apiKey() || "none")}${resource}`; }

export const api = {
  get: (resource) => request("GET", path(resource)),
  put: (resource, body) => request("PUT", path(resource), body),
  post: (resource, body = {}) => request("POST", path(resource), body),
  del: (resource, body) => request("DELETE", path(resource), body),
  // Raw access for downloads/uploads of our extensions.
  url: (resource) => path(resource),
};

// Sign in: HTTP Basic admin credentials create a key for this page (README "Creating a key").
export async function signIn(user, password) {
  const token = btoa(unescape(encodeURIComponent(`${user}:${password}`)));
  const agent = (navigator.platform || "browser").replace(/[^A-Za-z0-9 ._-]/g, "").slice(0, 20);
  const data = await request("POST", "/api", { devicetype: `gateway-page#${agent}` }, { Authorization: `Basic ${token}` });
  const key = data[0].success.username;
  localStorage.setItem(KEY_STORE, key);
  emit("auth", true);
  return key;
}

// Optional resources (groups, sensors, bindings...) answer error 3 until they exist.
export async function optional(resource) {
  try {
    return await api.get(resource);
  } catch (err) {
    if (err.type === 3 || err.type === 4 || err.status === 404) return null;
    throw err;
  }
}

export function basicToken(user, password) {
  return btoa(unescape(encodeURIComponent(`${user}:${password}`)));
}
