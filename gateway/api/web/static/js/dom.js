// Tiny DOM helpers: elements are built with text nodes, never from HTML strings, so a
// light named "<img onerror=...>" is shown as text.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function toast(message, kind = "") {
  const box = document.getElementById("toasts");
  const item = h("div", { class: `toast ${kind}`, role: kind === "bad" ? "alert" : "status" }, message);
  box.append(item);
  setTimeout(() => item.remove(), kind === "bad" ? 8000 : 4000);
}

// A modal yes/no question; resolves true only on an explicit "yes".
export function confirmDialog(question, yes = "Yes", no = "Cancel") {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "confirm" },
      h("p", {}, question),
      h("div", { class: "row" },
        h("button", { class: "danger", value: "yes", onclick: () => dialog.close("yes") }, yes),
        h("button", { class: "quiet", value: "no", onclick: () => dialog.close("no") }, no)));
    dialog.addEventListener("close", () => { dialog.remove(); resolve(dialog.returnValue === "yes"); });
    document.body.append(dialog);
    dialog.showModal();
  });
}

// Debounce for sliders: the lamp follows while dragging without flooding the radio.
export function throttle(fn, ms) {
  let last = 0, timer = null, pending = null;
  return (...args) => {
    pending = args;
    const wait = last + ms - Date.now();
    if (wait <= 0) { last = Date.now(); fn(...pending); pending = null; return; }
    clearTimeout(timer);
    timer = setTimeout(() => { last = Date.now(); if (pending) fn(...pending); pending = null; }, wait);
  };
}
