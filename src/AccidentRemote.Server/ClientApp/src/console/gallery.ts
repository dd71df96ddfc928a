// The open case's evidence on screen: one row of thumbnails per party (screenshots, photos, documents),
// enlarged in a dialog with who took it, when and its SHA-256. The list is GET /api/cases/{id}/evidence;
// each file is fetched with the officer's token (never in a URL), kept only as a blob URL in this page
// (the server answers Cache-Control: no-store) and revoked when the case is left. A licence,
// registration or document read this way is audited by the server, as any read of personal data.
import { api, headers } from "../lib/api";
import type { EvidenceItem } from "../lib/contract";
import { byTestId, el } from "../lib/dom";
import { has, lang, t, type Key } from "../lib/i18n";
import { state } from "./state";

let items: EvidenceItem[] = [];
const urls = new Map<string, string>();
let loading: Promise<void> = Promise.resolve();
let shown = -1;

/** Lists the case's evidence and fetches what is new; called when the case opens and on each EvidenceAdded. */
export function loadGallery(caseId: string): Promise<void> {
  loading = loading.then(() => refresh(caseId)).catch(() => undefined);
  return loading;
}

async function refresh(caseId: string): Promise<void> {
  let list: EvidenceItem[];
  try {
    list = await api<EvidenceItem[]>("GET", `/api/cases/${caseId}/evidence`);
  } catch {
    return; // offline or not offered: the counts on the tiles still say what arrived
  }
  if (state.current?.id !== caseId) return;
  items = list.sort((a, b) => a.capturedAt.localeCompare(b.capturedAt));
  renderGallery();
  for (const item of items) {
    if (urls.has(item.id) || !item.contentType.startsWith("image/")) continue;
    const url = await fetchImage(item.id);
    if (state.current?.id !== caseId) { if (url) URL.revokeObjectURL(url); return; }
    if (url) {
      urls.set(item.id, url);
      document.querySelectorAll<HTMLImageElement>(`[data-testid=gallery-thumb][data-evidence-id="${item.id}"]`).forEach((img) => { img.src = url; });
    }
  }
}

async function fetchImage(id: string): Promise<string | null> {
  try {
    const res = await fetch(`/api/evidence/${id}/content`, { headers: headers(), cache: "no-store" });
    if (!res.ok) return null;
    return URL.createObjectURL(await res.blob());
  } catch {
    return null;
  }
}

function what(item: EvidenceItem): string {
  const kind = has(`evidence.${item.kind}`) ? t(`evidence.${item.kind}` as Key) : item.kind;
  return item.angle && has(`angle.${item.angle}`) ? `${kind} · ${t(`angle.${item.angle}` as Key)}` : kind;
}

function partyLabel(partyId: string | null): string {
  const tile = state.tiles.find((x) => x.partyId === partyId);
  return tile ? `#${tile.partyNumber} ${tile.plate}` : t("officer.gallery.noParty");
}

function time(at: string): string {
  return new Date(at).toLocaleTimeString(lang, { hour12: false });
}

export function renderGallery(): void {
  const box = byTestId("gallery");
  box.hidden = !state.current;
  byTestId("gallery-count").textContent = items.length ? `(${items.length})` : "";
  // One group per party in party order, then what belongs to no party.
  const groups = [...state.tiles.map((x) => x.partyId as string | null), null]
    .map((partyId) => ({ partyId, list: items.filter((i) => i.partyId === partyId) }))
    .filter((g) => g.list.length > 0 || g.partyId !== null);
  byTestId("gallery-parties").replaceChildren(...groups.map((g) => {
    const tile = state.tiles.find((x) => x.partyId === g.partyId);
    return el("div", { class: "gallery-party", "data-testid": `gallery-party-${tile?.partyNumber ?? 0}` },
      el("h3", { text: partyLabel(g.partyId) }),
      g.list.length === 0
        ? el("p", { class: "empty", text: t("officer.gallery.none") })
        : el("ul", { class: "thumbs" }, ...g.list.map((item) => {
          const img = el("img", { "data-testid": "gallery-thumb", "data-evidence-id": item.id, alt: "" });
          const url = urls.get(item.id);
          if (url) img.src = url;
          const button = el("button", {
            type: "button", class: "thumb", "data-testid": "gallery-item", "data-evidence-id": item.id, "data-kind": item.kind,
            "aria-label": `${what(item)} · ${partyLabel(item.partyId)} · ${time(item.capturedAt)}`,
          }, item.contentType.startsWith("image/") ? img : el("span", { class: "pdf", text: "PDF" }));
          button.addEventListener("click", () => openItem(items.indexOf(item)));
          return el("li", {}, button);
        })));
  }));
}

/** Key G: the picked party's first thumbnail (or the first of all) gets the focus; Enter enlarges it. */
export function focusGallery(): void {
  const picked = state.tiles[state.selected];
  const group = picked ? document.querySelector<HTMLElement>(`[data-testid=gallery-party-${picked.partyNumber}]`) : null;
  const first = group?.querySelector<HTMLButtonElement>("[data-testid=gallery-item]") ?? document.querySelector<HTMLButtonElement>("[data-testid=gallery-item]");
  first?.focus();
}

function openItem(index: number): void {
  const item = items[index];
  if (!item) return;
  shown = index;
  const dialog = byTestId<HTMLDialogElement>("evidence-dialog");
  byTestId("evidence-dialog-title").textContent = `${what(item)} (${index + 1}/${items.length})`;
  const img = byTestId<HTMLImageElement>("evidence-dialog-image");
  img.hidden = !item.contentType.startsWith("image/");
  img.alt = what(item);
  img.src = urls.get(item.id) ?? "";
  byTestId("evidence-dialog-party").textContent = partyLabel(item.partyId);
  byTestId("evidence-dialog-by").textContent = item.capturedBy.startsWith("party:")
    ? `${t("officer.gallery.byParty")} ${partyLabel(item.capturedBy.slice("party:".length))}`
    : t("officer.gallery.byOfficer");
  byTestId("evidence-dialog-at").textContent = new Date(item.capturedAt).toLocaleString(lang, { hour12: false });
  byTestId("evidence-dialog-hash").textContent = item.sha256;
  byTestId<HTMLButtonElement>("evidence-dialog-prev").disabled = index === 0;
  byTestId<HTMLButtonElement>("evidence-dialog-next").disabled = index === items.length - 1;
  if (!dialog.open) dialog.showModal();
}

export function wireGallery(): void {
  const dialog = byTestId<HTMLDialogElement>("evidence-dialog");
  byTestId("evidence-dialog-close").addEventListener("click", () => dialog.close());
  byTestId("evidence-dialog-prev").addEventListener("click", () => openItem(shown - 1));
  byTestId("evidence-dialog-next").addEventListener("click", () => openItem(shown + 1));
  dialog.addEventListener("keydown", (e) => {
    if (e.key === "ArrowLeft" && shown > 0) { openItem(shown - 1); e.preventDefault(); }
    else if (e.key === "ArrowRight" && shown < items.length - 1) { openItem(shown + 1); e.preventDefault(); }
  });
}

/** The case is left: its images go from memory. */
export function clearGallery(): void {
  for (const url of urls.values()) URL.revokeObjectURL(url);
  urls.clear();
  items = [];
  shown = -1;
  const dialog = byTestId<HTMLDialogElement>("evidence-dialog");
  if (dialog.open) dialog.close();
  byTestId<HTMLImageElement>("evidence-dialog-image").removeAttribute("src");
  byTestId("gallery-parties").replaceChildren();
  byTestId("gallery").hidden = true;
}
