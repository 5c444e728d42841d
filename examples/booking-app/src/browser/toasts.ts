/** Short messages in the corner, read out politely by screen readers. */
export class Toasts {
  readonly #root: HTMLElement;

  constructor(root: HTMLElement) {
    this.#root = root;
  }

  /** Shows a message for a few seconds. */
  show(text: string, kind: "info" | "warn" | "error" = "info", ms = 4000): void {
    const el = document.createElement("div");
    el.className = `toast toast--${kind}`;
    el.textContent = text;
    this.#root.append(el);
    setTimeout(() => el.remove(), ms);
  }
}
