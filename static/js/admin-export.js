/* The export page's "Select all" box, without the inline onchange handler that
   django-import-export's template uses (the Content-Security-Policy blocks it). */
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector("#select-all-toggle");
  if (!toggle) {
    return;
  }
  toggle.addEventListener("change", () => {
    document
      .querySelectorAll('.selectable-field-export-row input[type="checkbox"]')
      .forEach((checkbox) => {
        checkbox.checked = toggle.checked;
      });
  });
});
