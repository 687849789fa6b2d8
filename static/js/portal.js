/* Behaviour shared by every page. No inline scripts: the Content-Security-Policy forbids them. */
(function () {
  "use strict";

  function onReady(root) {
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      if (el.dataset.autosubmitBound) return;
      el.dataset.autosubmitBound = "1";
      el.addEventListener("change", function () {
        if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
      });
    });
    // A live count under a long text box ("120 / 5000"): the limit is the
    // textarea's maxlength; the server refuses anything longer anyway.
    root.querySelectorAll("textarea[data-counter][maxlength]").forEach(function (el) {
      if (el.dataset.counterBound) return;
      el.dataset.counterBound = "1";
      var counter = document.createElement("div");
      counter.className = "form-text text-end text-counter";
      counter.setAttribute("aria-live", "polite");
      el.insertAdjacentElement("afterend", counter);
      var update = function () { counter.textContent = el.value.length + " / " + el.maxLength; };
      el.addEventListener("input", update);
      update();
    });
    root.querySelectorAll("select[data-union-search]").forEach(unionTypeahead);
    root.querySelectorAll("[data-formset]").forEach(formsetRows);
    if (window.echarts) {
      root.querySelectorAll("[data-chart]").forEach(function (el) {
        var source = document.getElementById(el.dataset.chart);
        if (!source || el.dataset.chartBound) return;
        el.dataset.chartBound = "1";
        var chart = window.echarts.init(el, null, { renderer: "svg" });
        chart.setOption(JSON.parse(source.textContent));
        // Every number is a door: a bar or slice whose data carries a "url"
        // opens the list it counts (the same links are in the table beside it).
        chart.on("click", function (params) {
          var url = params && params.data && params.data.url;
          if (typeof url === "string" && url.charAt(0) === "/") {
            window.location.assign(url);
          }
        });
        window.addEventListener("resize", function () { chart.resize(); });
      });
    }
  }

  // A union select becomes a type-ahead: the reader types a name or code and picks
  // from the unions in their scope that match (asked of the URL in
  // data-union-search, at most ~20). The select stays in the form and carries the
  // value; without JavaScript it works as a plain select.
  // A multiple select (the units an item is handed to, a project's participants)
  // is searched among its own options, which are exactly the unions its form
  // accepts: a pick ticks the option and shows it as a tag that removes it, and
  // the menu stays open for the next one. Ticks sent back after a form error are
  // shown as tags at once.
  var typeaheadCount = 0;
  function unionTypeahead(select) {
    if (select.dataset.typeaheadBound) return;
    select.dataset.typeaheadBound = "1";
    var multiple = select.multiple;
    var id = "union-typeahead-" + (++typeaheadCount);
    var box = document.createElement("div");
    box.className = "union-typeahead position-relative";
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id ? select.id + "-search" : id + "-input";
    input.className = select.classList.contains("form-select-sm") ? "form-control form-control-sm" : "form-control";
    if (select.classList.contains("is-invalid")) input.classList.add("is-invalid");
    input.autocomplete = "off";
    input.placeholder = select.dataset.unionSearchPlaceholder || "";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-list");
    input.dataset.testid = "union-typeahead";
    var menu = document.createElement("ul");
    menu.id = id + "-list";
    menu.className = "list-group union-typeahead-menu shadow-sm";
    menu.setAttribute("role", "listbox");
    if (multiple) menu.setAttribute("aria-multiselectable", "true");
    menu.hidden = true;
    var chosen = select.options[select.selectedIndex];
    input.value = !multiple && chosen && chosen.value ? chosen.text : "";
    var label = select.id ? document.querySelector("label[for='" + select.id + "']") : null;
    if (label) label.htmlFor = input.id;
    select.hidden = true;
    select.insertAdjacentElement("afterend", box);
    box.appendChild(input);
    box.appendChild(menu);
    var tags = null;
    if (multiple) {
      tags = document.createElement("ul");
      tags.className = "union-tags list-unstyled d-flex flex-wrap gap-1 mb-0";
      tags.dataset.testid = "union-tags";
      tags.setAttribute("aria-live", "polite");
      box.insertAdjacentElement("afterend", tags);
    }
    var results = [], active = -1, timer = null, asked = 0;

    function optionOf(value) {
      return Array.prototype.find.call(select.options, function (o) { return o.value === String(value); });
    }
    function showTags() {
      if (!tags) return;
      tags.textContent = "";
      Array.prototype.forEach.call(select.selectedOptions, function (option) {
        var li = document.createElement("li");
        li.className = "badge union-tag d-inline-flex align-items-center gap-1";
        var text = document.createElement("span");
        text.textContent = option.text;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn-close";
        remove.setAttribute("aria-label", (select.dataset.unionSearchRemove || "") + " " + option.text);
        remove.addEventListener("click", function () {
          option.selected = false;
          select.dispatchEvent(new Event("change", { bubbles: true }));
          showTags();
          input.focus();
        });
        li.appendChild(text);
        li.appendChild(remove);
        tags.appendChild(li);
      });
    }
    function close() { menu.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
    function choose(item) {
      var option = optionOf(item.id);
      if (multiple) {
        if (!option) return;
        option.selected = !option.selected;
        // A pick also chooses the form's "the unions picked below" radio
        // (data-union-search-check names its id), so that it is not lost to
        // another mode still chosen.
        var mode = select.dataset.unionSearchCheck && document.getElementById(select.dataset.unionSearchCheck);
        if (option.selected && mode && !mode.checked) {
          mode.checked = true;
          mode.dispatchEvent(new Event("change", { bubbles: true }));
        }
        select.dispatchEvent(new Event("change", { bubbles: true }));
        showTags();
        var li = menu.children[results.indexOf(item)];
        if (li) {
          li.setAttribute("aria-selected", option.selected ? "true" : "false");
          li.classList.toggle("chosen", option.selected);
        }
        return;
      }
      if (!option) { option = new Option(item.label, item.id); select.add(option); }
      input.value = item.id ? item.label : "";
      close();
      if (select.value !== String(item.id)) {
        select.value = String(item.id);
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(menu.children, function (li, i) {
        li.classList.toggle("active", i === index);
        if (!multiple) li.setAttribute("aria-selected", i === index ? "true" : "false");
        if (i === index) { input.setAttribute("aria-activedescendant", li.id); li.scrollIntoView({ block: "nearest" }); }
      });
    }
    function show(items) {
      results = items;
      menu.textContent = "";
      if (!items.length) {
        var none = document.createElement("li");
        none.className = "list-group-item small text-body-secondary";
        none.textContent = select.dataset.unionSearchEmpty || "";
        menu.appendChild(none);
      }
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = id + "-option-" + i;
        li.className = "list-group-item list-group-item-action small";
        li.setAttribute("role", "option");
        li.textContent = item.label;
        if (multiple) {
          var ticked = !!(optionOf(item.id) || {}).selected;
          li.setAttribute("aria-selected", ticked ? "true" : "false");
          li.classList.toggle("chosen", ticked);
        }
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
        menu.appendChild(li);
      });
      menu.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      // Keep the list on screen: open it leftwards from a box near the right edge.
      menu.style.left = "";
      menu.style.right = "";
      var room = document.documentElement.clientWidth;
      if (menu.getBoundingClientRect().right > room) {
        menu.style.left = "auto";
        menu.style.right = "0";
        if (menu.getBoundingClientRect().left < 0) {
          menu.style.right = "auto";
          menu.style.left = "0";
          menu.style.width = box.getBoundingClientRect().width + "px";
        }
      }
    }
    // The options of a multiple select that match what is typed (name or code,
    // as their labels "name (code)" show them), at most 50.
    function matches(text) {
      var words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var found = [];
      Array.prototype.some.call(select.options, function (o) {
        var label = o.text.toLowerCase();
        if (o.value && words.every(function (w) { return label.indexOf(w) >= 0; })) {
          found.push({ id: o.value, label: o.text });
        }
        return found.length >= 50;
      });
      return found;
    }
    function ask() {
      if (multiple) { show(matches(input.value)); return; }
      var url = select.dataset.unionSearch;
      url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(input.value.trim());
      var ticket = ++asked;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (ticket === asked && document.activeElement === input) show(data.results || []); })
        .catch(function () {});
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      // Emptied by the search box's own Escape or clear button with the menu
      // shut: a multiple picker stays shut.
      if (multiple && !input.value && menu.hidden) return;
      timer = window.setTimeout(ask, multiple ? 0 : 200);
    });
    input.addEventListener("focus", function () { if (!input.value) ask(); });
    function clearIfEmptied() {
      // Emptied and left (or Enter): the filter is lifted, the choice cleared.
      if (!multiple && !input.value.trim() && select.value) choose({ id: "", label: "" });
    }
    input.addEventListener("blur", function () {
      clearIfEmptied();
      close();
      if (multiple) { input.value = ""; return; }
      var current = select.options[select.selectedIndex];
      input.value = current && current.value ? current.text : "";
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (menu.hidden) { ask(); return; }
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight(Math.max(0, Math.min(results.length - 1, active + step)));
      } else if (event.key === "Enter") {
        if (!menu.hidden && results.length && (input.value.trim() || (multiple && active >= 0))) {
          event.preventDefault();
          choose(results[active >= 0 ? active : 0]);
        } else if (!multiple && !input.value.trim() && select.value) {
          event.preventDefault();
          clearIfEmptied();
        }
      } else if (event.key === "Escape" && !menu.hidden) {
        // Shut the menu; the words typed stay (a second Escape clears them).
        event.preventDefault();
        close();
      }
    });
    showTags();
  }

  // A formset whose rows are added as needed: [data-formset="prefix"] holds the
  // rows ([data-formset-row]), a <template data-formset-empty> with __prefix__ in
  // its names, and a [data-formset-add] button; the TOTAL_FORMS count follows.
  function formsetRows(box) {
    if (box.dataset.formsetBound) return;
    box.dataset.formsetBound = "1";
    var prefix = box.dataset.formset;
    var total = box.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = box.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var empty = box.querySelector("template[data-formset-empty]");
    var rows = box.querySelector("[data-formset-rows]");
    var button = box.querySelector("[data-formset-add]");
    if (!total || !empty || !rows || !button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var count = parseInt(total.value, 10) || 0;
      if (max && count >= parseInt(max.value, 10)) return;
      var html = empty.innerHTML.replace(/__prefix__/g, String(count));
      var holder = document.createElement(rows.tagName === "TBODY" ? "tbody" : "div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(count + 1);
      onReady(row);
      var first = row.querySelector("input, select, textarea");
      if (first) first.focus();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.dataset ? form.dataset.confirm : null;
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-check-all]");
    if (!el) return;
    document.querySelectorAll(el.dataset.checkAll).forEach(function (box) { box.checked = el.checked; });
  });

  document.addEventListener("DOMContentLoaded", function () { onReady(document); });
  document.addEventListener("htmx:afterSettle", function (event) { onReady(event.target); });
})();
