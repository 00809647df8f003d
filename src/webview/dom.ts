// Tiny DOM helpers. Everything that reaches the page goes through textContent or attributes set one by one —
// never innerHTML — so nothing a peer sends can ever become markup.

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | undefined | false;

/** Creates an element with attributes (false/undefined skipped, true = empty attribute) and children (strings become text). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K];
export function el(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement;
export function el(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/**
 * Sets text only when it changed (the list re-renders rows often; unchanged text costs nothing). A node that
 * holds one text node keeps it and gets new `data`: assigning textContent would replace the node, and a new
 * text node needs a style recalc and a new layout object, not just a relayout of the text.
 */
export function setText(node: Node, text: string): void {
  const only = node.firstChild;
  if (only !== null && only === node.lastChild && only.nodeType === Node.TEXT_NODE) {
    const textNode = only as Text;
    if (textNode.data !== text) textNode.data = text;
  } else if (node.textContent !== text) {
    node.textContent = text;
  }
}

/** Sets `hidden` only when it changes: the list's status is rendered every frame, and an attribute write is work even when the value stays. */
export function setHidden(node: HTMLElement, hidden: boolean): void {
  if (node.hidden !== hidden) node.hidden = hidden;
}

export function setAttr(node: Element, name: string, value: string | undefined): void {
  if (value === undefined) {
    if (node.hasAttribute(name)) node.removeAttribute(name);
  } else if (node.getAttribute(name) !== value) {
    node.setAttribute(name, value);
  }
}

/** A codicon as a decorative span (icons that carry meaning get an aria-label on their control instead). */
export function codicon(name: string): HTMLSpanElement {
  return el('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`Missing #${id}`);
  return node as T;
}
