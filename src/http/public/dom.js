// DOM helpers. Every text that comes from the network goes through textContent or
// createTextNode: her messages, notes and names can hold markup, and must show as she typed them.
// Served as kit/dom.js beside each page (see src/http/public-kit.ts).

/**
 * Builds an element. `text` is set with textContent; attributes with setAttribute; `on` adds
 * listeners. Nothing here ever assigns HTML.
 */
export function el(tag, opts = {}, children = []) {
  const node = document.createElement(tag);
  if (opts.className) node.className = opts.className;
  if (opts.text !== undefined && opts.text !== null) node.textContent = String(opts.text);
  for (const [name, value] of Object.entries(opts.attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const [name, handler] of Object.entries(opts.on || {})) node.addEventListener(name, handler);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

export const $ = (id) => document.getElementById(id);

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** A table: its headings, then one row element per item (built by the caller). */
export function table(className, head, rows) {
  return el("table", { className }, [
    el("thead", {}, [
      el(
        "tr",
        {},
        head.map((h) => el("th", { text: h })),
      ),
    ]),
    el("tbody", {}, rows),
  ]);
}
