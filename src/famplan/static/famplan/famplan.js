// Site-wide behaviour. Loaded as a file, never inline (CSP).
document.addEventListener("DOMContentLoaded", () => {
  // Confirm dangerous actions: <button data-confirm="确定？">
  document.body.addEventListener("click", (event) => {
    const el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.dataset.confirm)) event.preventDefault();
  });
  // Print the page: <button type="button" data-print>打印</button> (styles: famplan.css).
  document.body.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });
});
