// On a phone the app's tables are shown as cards (styles.css, under
// 600 px): one card per row, each cell with its column's name beside it.
// The name comes from the cell's data-label; labelCells fills it in from
// the column's header for the cells that have none, so every table of the
// app — those written before this, and those to come — reads well as cards
// without each page repeating its headers.

// columnLabels reads a table's column names from its header row, by
// column (a header spanning columns names each of them); a header with no
// visible text (an actions column) names none.
function columnLabels(table: HTMLTableElement): string[] {
  const row = table.tHead?.rows[0];
  const out: string[] = [];
  if (!row) return out;
  for (const th of Array.from(row.cells)) {
    const hidden = th.querySelector(".sr-only, .visually-hidden, .admin-sr");
    const text = (hidden && hidden.textContent === th.textContent ? "" : th.textContent ?? "").replace(/\s+/g, " ").trim();
    for (let i = 0; i < th.colSpan; i++) out.push(text);
  }
  return out;
}

export function labelCells(root: ParentNode) {
  for (const table of Array.from(root.querySelectorAll("table"))) {
    const labels = columnLabels(table);
    if (!labels.length) continue;
    for (const body of Array.from(table.tBodies)) {
      for (const row of Array.from(body.rows)) {
        let col = 0;
        for (const cell of Array.from(row.cells)) {
          const label = cell.colSpan === 1 ? labels[col] : "";
          // A label the page wrote stays; one filled in here follows the
          // header (the language may have changed).
          if (label && col > 0 && (!cell.hasAttribute("data-label") || cell.hasAttribute("data-auto-label")) && cell.getAttribute("data-label") !== label) {
            cell.setAttribute("data-label", label);
            cell.setAttribute("data-auto-label", "");
          }
          col += cell.colSpan;
        }
      }
    }
  }
}

// watchCards keeps the labels filled in as pages render and change.
export function watchCards(root: HTMLElement) {
  let queued = false;
  const run = () => {
    queued = false;
    labelCells(root);
  };
  new MutationObserver(() => {
    if (!queued) (queued = true), requestAnimationFrame(run);
  }).observe(root, { childList: true, characterData: true, subtree: true });
}
