
(pages) => {
  const missing = [];
  for (const link of document.querySelectorAll(".hc-contents-link")) {
    const page = pages[link.dataset.target];
    const cell = link.querySelector(".hc-contents-page");
    if (page === undefined) { missing.push(link.querySelector(".hc-contents-text").textContent); continue; }
    cell.textContent = String(page).padStart(3, " ");
  }
  return missing;
}
