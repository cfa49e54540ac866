import { terminalSafe } from '../shared/core/render/terminal-safe.js';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * Every value from the logs is attacker-controlled: it reaches the page only as a text node (never
 * innerHTML), with invisible characters (bidi overrides, zero-width, ESC) shown as \uXXXX escapes.
 */
export function shown(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '' : terminalSafe(String(value));
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: { className?: string; text?: string | number | null } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = shown(options.text);
  element.append(...children);
  return element;
}

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

export function svgText(value: string, attributes: Record<string, string | number>): SVGTextElement {
  const text = svg('text', attributes);
  text.textContent = value;
  return text;
}

export function svgTitle(value: string): SVGTitleElement {
  const title = svg('title');
  title.textContent = value;
  return title;
}
