// /docs: /openapi.json rendered as a page — every path, method, summary, request and
// response schema, with a filter. Small on purpose; no third-party renderer to ship.

import { clear, h } from "./dom.js";

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

function schemaText(schema) {
  return JSON.stringify(schema, null, 2);
}

function resolve(spec, schema) {
  if (schema && schema.$ref && schema.$ref.startsWith("#/")) {
    return schema.$ref.slice(2).split("/").reduce((node, key) => (node ? node[key] : undefined), spec) || schema;
  }
  return schema;
}

function operation(spec, path, method, op, server) {
  const body = h("div", { class: "body" });
  if (op.description) body.append(h("p", {}, op.description));
  if (server) body.append(h("p", { class: "muted" }, `Served at ${server}`));
  const params = [...(op.parameters || [])];
  if (params.length) {
    body.append(h("h4", {}, "Parameters"), h("table", {}, h("tbody", {},
      params.map((p) => h("tr", {}, h("td", {}, h("code", {}, p.name)), h("td", {}, p.in), h("td", {}, p.description || ""))))));
  }
  const request = op.requestBody && op.requestBody.content;
  if (request) {
    for (const [type, media] of Object.entries(request)) {
      body.append(h("h4", {}, `Request body (${type})`), h("pre", {}, schemaText(resolve(spec, media.schema))));
    }
  }
  const responses = Object.entries(op.responses || {});
  if (responses.length) {
    body.append(h("h4", {}, "Responses"));
    for (const [status, response] of responses) {
      const content = response.content ? Object.values(response.content)[0] : null;
      body.append(h("div", {}, h("strong", {}, status), " ", response.description || ""));
      if (content && content.schema) body.append(h("pre", {}, schemaText(resolve(spec, content.schema))));
    }
  }
  return h("details", { class: "op", dataset: { search: `${method} ${path} ${op.summary || ""}`.toLowerCase() } },
    h("summary", {}, h("span", { class: `method ${method}` }, method.toUpperCase()), h("code", {}, path), h("span", { class: "muted" }, op.summary || "")),
    body);
}

async function main() {
  const intro = document.getElementById("api-intro");
  const box = document.getElementById("api-paths");
  let spec;
  try {
    const response = await fetch("/openapi.json", { cache: "no-store" });
    spec = await response.json();
  } catch {
    intro.textContent = "Could not read /openapi.json from the gateway.";
    return;
  }
  const info = spec.info || {};
  document.getElementById("api-title").textContent = info.title || "Gateway API";
  clear(intro).append(`${info.description || ""} Version ${info.version || "?"}. Raw description: `,
    h("a", { href: "/openapi.json" }, "/openapi.json"), ".");
  const ops = [];
  for (const [path, item] of Object.entries(spec.paths || {})) {
    const server = item.servers && item.servers[0] ? item.servers[0].url : "";
    for (const method of METHODS) {
      if (item[method]) ops.push(operation(spec, path, method, item[method], server));
    }
  }
  box.append(...ops);
  document.getElementById("filter").addEventListener("input", (event) => {
    const words = event.target.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const op of ops) op.hidden = !words.every((w) => op.dataset.search.includes(w));
  });
}

main();
