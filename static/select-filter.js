// A search box above every <select data-searchable="…">: typing part of a name or code
// (“五华”, “5329”) narrows the options; with one match left it is chosen. Without script
// the plain drop-down still works, grouped by prefecture.
(function () {
  function attach(select) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "select-filter";
    input.placeholder = select.getAttribute("data-searchable");
    input.setAttribute("aria-label", select.getAttribute("data-searchable"));
    input.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(input, select);
    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase();
      var matches = [];
      Array.prototype.forEach.call(select.options, function (option) {
        var text = (option.text + " " + option.value).toLowerCase();
        var hit = option.value === "" || query === "" || text.indexOf(query) >= 0;
        option.hidden = !hit;
        if (hit && option.value !== "") matches.push(option);
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
      });
      if (matches.length === 1) {
        select.value = matches[0].value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }
  document.querySelectorAll("select[data-searchable]").forEach(attach);
})();
