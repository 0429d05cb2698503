/* Fasu: the little behaviour the pages need beyond HTMX. Pages work without it. */
(function () {
  "use strict";

  function bulkForm(form) {
    var boxes = function () { return form.querySelectorAll('input[type="checkbox"][name="matters"]'); };
    var all = form.querySelector("[data-check-all]");
    var counter = form.querySelector("[data-selected-count]");
    var action = form.querySelector('select[name="action"]');
    var to = form.querySelector('select[name="bulk_to"]');

    function refreshCount() {
      var n = 0;
      boxes().forEach(function (box) { if (box.checked) { n += 1; } });
      if (counter) { counter.textContent = String(n); }
      if (n > 0) {
        var selected = form.querySelector('input[name="scope"][value="selected"]');
        if (selected && !form.querySelector('input[name="scope"][value="all"]').checked) { selected.checked = true; }
      }
    }

    function refreshFields() {
      form.querySelectorAll("[data-show-for]").forEach(function (el) {
        el.hidden = !action || el.getAttribute("data-show-for") !== action.value;
      });
      form.querySelectorAll("[data-show-for-stage]").forEach(function (el) {
        el.hidden = !to || el.getAttribute("data-show-for-stage") !== to.value;
      });
    }

    if (all) {
      all.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = all.checked; });
        refreshCount();
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "matters") { refreshCount(); }
      if (event.target === action || event.target === to) { refreshFields(); }
    });
    refreshCount();
    refreshFields();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-bulk]").forEach(bulkForm);
  });

  // A form with data-confirm asks before it is sent (closing a matter, bulk jobs).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);

  // Buttons with data-dismiss remove the closest element matching its selector.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-dismiss]");
    if (!button) { return; }
    var target = button.closest(button.getAttribute("data-dismiss"));
    if (target) { target.remove(); }
  });

  // The reveal popover closes after a successful reveal.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "reveal-result") {
      var open = document.querySelector("details.reveal[open]");
      if (open && event.detail.target.querySelector(".reveal-box")) { open.removeAttribute("open"); }
    }
  });

  // A partial request that lands on the login page (the session ended) reloads the page.
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf("/login/") !== -1) {
      window.location.reload();
    }
  });
})();
