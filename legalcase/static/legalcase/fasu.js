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

  // The bundle form's item list: drag rows (HTML5 drag and drop) or press ↑/↓ to reorder;
  // the ticked ids are sent in the order shown. Bound on the document, so it works after
  // htmx swaps the section in.
  var dragged = null;
  function orderRow(target) {
    var row = target && target.closest && target.closest("[data-bundle-order] > li");
    return row || null;
  }
  document.addEventListener("dragstart", function (event) {
    dragged = orderRow(event.target);
    if (!dragged) { return; }
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", "");
  });
  document.addEventListener("dragover", function (event) {
    var row = orderRow(event.target);
    if (!dragged || !row || row === dragged || row.parentNode !== dragged.parentNode) { return; }
    event.preventDefault();
    var box = row.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    row.parentNode.insertBefore(dragged, after ? row.nextSibling : row);
  });
  document.addEventListener("drop", function (event) {
    if (dragged && orderRow(event.target)) { event.preventDefault(); }
  });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-bundle-order] [data-move]");
    if (!button) { return; }
    var row = orderRow(button);
    if (button.getAttribute("data-move") === "up" && row.previousElementSibling) {
      row.parentNode.insertBefore(row, row.previousElementSibling);
    } else if (button.getAttribute("data-move") === "down" && row.nextElementSibling) {
      row.parentNode.insertBefore(row.nextElementSibling, row);
    }
    button.focus();
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

/* Every screen: the folding header menu, card captions for tables shown as cards on a
   phone, and the matter page's index. Each works without this script (the menu is a
   <details>, the index plain anchors); the script adds closing on Escape or a click
   elsewhere, captions taken from the column headings, and the index's current section. */
(function () {
  "use strict";

  var WIDE = window.matchMedia ? window.matchMedia("(min-width: 1280px)") : null;
  var DETAILS_CONTENT = !!(window.CSS && CSS.supports && CSS.supports("selector(::details-content)"));

  function navMenu(menu) {
    // Where CSS cannot show a closed <details>' content, the menu is opened on wide screens.
    function follow() { if (!DETAILS_CONTENT && WIDE) { menu.open = WIDE.matches; } }
    if (WIDE) {
      follow();
      if (WIDE.addEventListener) { WIDE.addEventListener("change", follow); }
    }
    function folded() { return !WIDE || !WIDE.matches; }
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open && folded()) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && folded() && !menu.contains(event.target)) { menu.open = false; }
    });
  }

  // A cell of a card table without its own data-label is captioned by its column heading.
  function labelCards(root) {
    root.querySelectorAll("table.cards, table.cards-phone, table.matters").forEach(function (table) {
      var heads = table.querySelectorAll("thead th");
      if (!heads.length) { return; }
      table.querySelectorAll("tbody > tr").forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          var head = heads[column];
          if (head && !cell.hasAttribute("data-label") && !cell.hasAttribute("colspan")) {
            cell.setAttribute("data-label", head.textContent.replace(/\s+/g, " ").trim());
          }
          column += cell.colSpan || 1;
        });
      });
    });
  }

  // The index marks the section at the top of the window.
  function matterIndex(index) {
    if (!("IntersectionObserver" in window)) { return; }
    var links = {};
    index.querySelectorAll('a[href^="#"]').forEach(function (link) { links[link.getAttribute("href").slice(1)] = link; });
    var visible = {};
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { visible[entry.target.id] = entry.isIntersecting; });
      var first = null;
      Object.keys(links).forEach(function (id) {
        if (!first && visible[id]) { first = id; }
      });
      Object.keys(links).forEach(function (id) { links[id].classList.toggle("current", id === first); });
      if (first && links[first].scrollIntoView && index.scrollWidth > index.clientWidth) {
        index.scrollLeft = links[first].offsetLeft - index.clientWidth / 3;
      }
    }, { rootMargin: "-60px 0px -55% 0px" });
    Object.keys(links).forEach(function (id) {
      var section = document.getElementById(id);
      if (section) { observer.observe(section); }
    });
  }

  // A read-only address to copy (the calendar feed's) is selected whole when clicked.
  document.addEventListener("click", function (event) {
    var field = event.target.closest && event.target.closest("input[data-select-on-click]");
    if (field) { field.select(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-navmenu]").forEach(navMenu);
    document.querySelectorAll("[data-matter-index]").forEach(matterIndex);
    labelCards(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target) { labelCards(event.detail.target.parentNode || event.detail.target); }
  });
})();

/* Bulk confirmations (issue 22): the question names the action and how many matters it
   takes. The matter list's bulk form carries the questions as data-confirm-* attributes
   (legalcase.views.matters.bulk_confirmations); a submit button with data-confirm-submit
   asks its own question, "{field}" replaced by the label chosen in that field. */
(function () {
  "use strict";

  function chosenLabel(form, name) {
    var field = form.querySelector('[name="' + name + '"]');
    if (field && field.tagName === "SELECT" && field.selectedIndex >= 0) {
      return field.options[field.selectedIndex].text.trim();
    }
    return field ? String(field.value) : "";
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function bulkQuestion(form) {
    var data = form.dataset;
    var actionField = form.querySelector('[name="action"]');
    var action = actionField ? actionField.value : "";
    var scope = form.querySelector('input[name="scope"]:checked');
    var matters;
    if (scope && scope.value === "all") {
      matters = data.confirmAll;
    } else {
      var n = form.querySelectorAll('input[type="checkbox"][name="matters"]:checked').length;
      if (n === 0) { return ""; }  // the server answers "tick at least one matter"
      matters = n === 1 ? data.confirmSelected_one : fill(data.confirmSelected, { n: String(n) });
    }
    var values = {
      matters: matters,
      firm: chosenLabel(form, "bulk_firm"),
      owner: chosenLabel(form, "bulk_owner"),
      stage: chosenLabel(form, "bulk_to"),
      reason: chosenLabel(form, "bulk_reason")
    };
    var key = action;
    if (action === "set_owner" && form.querySelector('[name="bulk_owner"]').value === "none") { key = "clear_owner"; }
    if (action === "move_stage" && form.querySelector('[name="bulk_to"]').value === "closed") { key = "close"; }
    var question = data["confirm" + key.charAt(0).toUpperCase() + key.slice(1)];
    return question ? fill(question, values) : "";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches) { return; }
    var question = "";
    var button = event.submitter;
    if (button && button.hasAttribute("data-confirm-submit")) {
      question = button.getAttribute("data-confirm-submit").replace(/\{(\w+)\}/g, function (whole, name) {
        return chosenLabel(form, name) || whole;
      });
    } else if (form.matches("form[data-bulk]")) {
      question = bulkQuestion(form);
    }
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);
})();

/* The evidence upload: one row per chosen file (title, kind, document date, purpose of
   proof), sent as title_0, kind_0, document_date_0, purpose_0… with the files in the order
   chosen. Without this script the shared kind and purpose apply to every file and the
   title and date come from each file's name. Bound on the document (htmx swaps the form). */
(function () {
  "use strict";

  var NAMED_DATE = /^\s*(\d{4})[-._年/]?(\d{1,2})[-._月/]?(\d{1,2})日?[\s_\-]*(.*)$/;

  function fromName(name) {
    var stem = name.replace(/\.[^.]*$/, "");
    var match = NAMED_DATE.exec(stem);
    if (match && match[4].trim()) {
      var month = ("0" + match[2]).slice(-2), day = ("0" + match[3]).slice(-2);
      return { title: match[4].trim(), date: match[1] + "-" + month + "-" + day };
    }
    return { title: stem.trim(), date: "" };
  }

  function field(label, control) {
    var wrap = document.createElement("label");
    wrap.appendChild(document.createTextNode(label + " "));
    wrap.appendChild(control);
    return wrap;
  }

  function buildRows(input) {
    var form = input.form;
    var box = form.querySelector("[data-evidence-file-rows]");
    var sharedKind = form.querySelector('select[name="kind"]');
    var sharedPurpose = form.querySelector('[name="purpose"]');
    if (!box || !sharedKind) { return; }
    box.textContent = "";
    var files = Array.prototype.slice.call(input.files || []);
    files.forEach(function (file, index) {
      var guess = fromName(file.name);
      var row = document.createElement("fieldset");
      row.className = "evidence-file-row";
      var legend = document.createElement("legend");
      legend.textContent = (index + 1) + ". " + file.name;
      row.appendChild(legend);

      var title = document.createElement("input");
      title.type = "text"; title.name = "title_" + index; title.maxLength = 200; title.required = true;
      title.value = guess.title.slice(0, 200);
      row.appendChild(field(box.getAttribute("data-label-title"), title));

      var kind = sharedKind.cloneNode(true);
      kind.name = "kind_" + index; kind.removeAttribute("id"); kind.value = sharedKind.value;
      row.appendChild(field(box.getAttribute("data-label-kind"), kind));

      var day = document.createElement("input");
      day.type = "date"; day.name = "document_date_" + index; day.value = guess.date;
      row.appendChild(field(box.getAttribute("data-label-date"), day));

      var purpose = document.createElement("input");
      purpose.type = "text"; purpose.name = "purpose_" + index; purpose.maxLength = 1000;
      purpose.value = sharedPurpose ? sharedPurpose.value : "";
      purpose.className = "wide";
      row.appendChild(field(box.getAttribute("data-label-purpose"), purpose));
      box.appendChild(row);
    });
    box.hidden = files.length === 0;
    form.querySelectorAll("[data-shared-default]").forEach(function (el) { el.hidden = files.length > 0; });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.matches && input.matches("input[data-evidence-files]")) { buildRows(input); }
  });
})();

/* Content-Security-Policy (issue 21): the pages carry no inline script and no style
   attribute, so what used to sit in them is here. */
(function () {
  "use strict";

  // The enforcement action form shows only the fields the chosen kind uses; a hidden
  // field is disabled, so it is not sent.
  function applyKind(form) {
    var select = form.querySelector("[data-kind-select]");
    var kind = select ? select.value : "";
    form.querySelectorAll("[data-kinds]").forEach(function (input) {
      var off = kind !== "" && input.dataset.kinds.split(" ").indexOf(kind) === -1;
      var field = input.closest(".pf-field");
      if (field) { field.hidden = off; }
      input.disabled = off;
    });
  }

  // Progress bars give their width as data-width (a percentage); set through the CSSOM,
  // which the policy allows, unlike a style attribute.
  function widths(root) {
    root.querySelectorAll("[data-width]").forEach(function (bar) {
      var value = parseFloat(bar.getAttribute("data-width"));
      if (!isNaN(value)) { bar.style.width = Math.max(0, Math.min(100, value)) + "%"; }
    });
  }

  function setUp(root) {
    root.querySelectorAll("form[data-kind-form]").forEach(applyKind);
    widths(root);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("[data-kind-select]")) {
      var form = target.closest("form[data-kind-form]");
      if (form) { applyKind(form); }
    }
  });
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    setUp(target && target.parentNode ? target.parentNode : document);
  });
})();

/* An upload Django could not read (a file name too long: legalcase.middleware) answers 400
   with the reason as text; htmx does not swap a 400, so it is shown above the form sent. */
document.addEventListener("htmx:responseError", function (event) {
  "use strict";
  var xhr = event.detail.xhr;
  var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
  if (!xhr || !form || !xhr.getResponseHeader("X-Fasu-Refusal")) { return; }
  var list = form.querySelector("ul.errorlist[data-upload-refusal]");
  if (!list) {
    list = document.createElement("ul");
    list.className = "errorlist";
    list.setAttribute("data-upload-refusal", "");
    form.insertBefore(list, form.firstChild);
  }
  list.textContent = "";
  var item = document.createElement("li");
  item.textContent = xhr.responseText;
  list.appendChild(item);
});
