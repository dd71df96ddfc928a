/** The element with data-testid=id (every element the code touches has one, which tests use too). */
export function byTestId<T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = document): T {
  const el = root.querySelector<T>(`[data-testid="${id}"]`);
  if (!el) throw new Error(`missing element data-testid=${id}`);
  return el;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

/** Shows the <section data-screen=name> and hides the others; records it on <body data-screen>. */
export function showScreen(name: string): void {
  document.body.dataset.screen = name;
  document.querySelectorAll<HTMLElement>("section[data-screen]").forEach((s) => { s.hidden = s.dataset.screen !== name; });
  window.scrollTo(0, 0);
}

export function minutesSeconds(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
