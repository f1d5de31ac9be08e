// Searchable time-zone picker (ARIA 1.2 combobox with a listbox popup) built over a plain <select>,
// which stays the form's value and the fallback without JavaScript. Browsing never reloads the page.
(function () {
  "use strict";
  var MAX_SHOWN = 60;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function detectedZone() {
    var zone = null;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = null; }
    if (!zone) { return null; }
    var data = document.getElementById("zone-aliases");
    var aliases = data ? JSON.parse(data.textContent) : {};
    return aliases[zone] || zone;
  }

  function enhance(select) {
    var options = Array.prototype.map.call(select.options, function (option) {
      var group = option.parentNode.tagName === "OPTGROUP" ? option.parentNode.label : "";
      return {value: option.value, text: option.text, group: group,
              search: fold(option.text + " " + option.value.replace(/_/g, " ") + " " + group)};
    });
    var wrapper = document.createElement("div");
    wrapper.className = "combobox";
    var input = document.createElement("input");
    var listId = select.id + "-listbox";
    input.type = "text";
    input.id = select.id + "-combo";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    ["aria-describedby", "aria-required", "aria-invalid"].forEach(function (name) {
      if (select.hasAttribute(name)) { input.setAttribute(name, select.getAttribute(name)); }
    });
    var label = document.querySelector("label[for='" + select.id + "']");
    if (label) {
      label.htmlFor = input.id;
      if (!label.id) { label.id = select.id + "-label"; }
    }
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "combobox-list";
    list.setAttribute("role", "listbox");
    if (label) { list.setAttribute("aria-labelledby", label.id); }
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.appendChild(status);
    select.parentNode.insertBefore(wrapper, select.nextSibling);
    select.hidden = true;
    select.tabIndex = -1;

    var shown = [];
    var active = -1;

    function current() {
      return options.filter(function (o) { return o.value === select.value; })[0];
    }
    function open() { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function render(query) {
      var tokens = fold(query).split(/\s+/).filter(Boolean);
      var matches = options.filter(function (o) {
        return tokens.every(function (t) { return o.search.indexOf(t) !== -1; });
      });
      shown = matches.slice(0, MAX_SHOWN);
      list.textContent = "";
      shown.forEach(function (o, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", o.value === select.value ? "true" : "false");
        item.textContent = o.text;
        if (o.group) {
          var group = document.createElement("span");
          group.className = "combobox-group";
          group.textContent = o.group;
          item.appendChild(group);
        }
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(o); });
        list.appendChild(item);
      });
      status.textContent = (select.getAttribute("data-results") || "{count}").replace("{count}", matches.length);
      active = -1;
      input.removeAttribute("aria-activedescendant");
    }
    function move(step) {
      if (list.hidden) { render(input.value === (current() || {}).text ? "" : input.value); open(); }
      if (!shown.length) { return; }
      active = (active + step + shown.length) % shown.length;
      Array.prototype.forEach.call(list.children, function (item, i) {
        item.classList.toggle("active", i === active);
      });
      var item = list.children[active];
      input.setAttribute("aria-activedescendant", item.id);
      item.scrollIntoView({block: "nearest"});
    }
    function choose(option) {
      var changed = select.value !== option.value;
      select.value = option.value;
      input.value = option.text;
      close();
      if (changed) { select.dispatchEvent(new Event("change", {bubbles: true})); }
    }

    input.value = (current() || {text: ""}).text;
    input.addEventListener("input", function () { render(input.value); open(); });
    input.addEventListener("focus", function () { input.select(); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
      else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) { event.preventDefault(); choose(shown[active]); }
        else if (!list.hidden && shown.length === 1) { event.preventDefault(); choose(shown[0]); }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); input.value = (current() || {text: ""}).text; }
      }
    });
    input.addEventListener("blur", function () {
      close();
      input.value = (current() || {text: ""}).text;
    });
    if (select.hasAttribute("data-autosubmit")) {
      select.addEventListener("change", function () { select.form.submit(); });
    }
    return {select: select, choose: function (value) {
      var option = options.filter(function (o) { return o.value === value; })[0];
      if (option) { select.value = option.value; input.value = option.text; }
      return !!option;
    }};
  }

  document.addEventListener("DOMContentLoaded", function () {
    var zone = detectedZone();
    var selects = document.querySelectorAll("select[data-zone-combobox]");
    Array.prototype.forEach.call(selects, function (select) {
      // A page shown without a zone: show it in the browser's zone (one redirect, on arrival only).
      var param = select.getAttribute("data-param") || select.name;
      if (zone && select.getAttribute("data-detect") === "redirect" && select.querySelector("option[value='" + zone + "']")) {
        var url = new URL(window.location.href);
        if (!url.searchParams.get(param)) {
          url.searchParams.set(param, zone);
          window.location.replace(url.toString());
          return;
        }
      }
      var picker = enhance(select);
      // Forms: preselect the detected zone when the server had none.
      if (zone && select.getAttribute("data-detect") === "preselect") { picker.choose(zone); }
    });
  });
})();
