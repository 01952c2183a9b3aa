// Progressive keyboard help for the review queue and the item page; every action also works without it.
(function () {
  "use strict";
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  var all = document.querySelector("[data-check-all]");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=items]").forEach(function (c) { c.checked = all.checked; });
    });
  }
  var queue = document.querySelector("[data-keys=queue]");
  if (queue) {
    var rows = Array.prototype.slice.call(queue.querySelectorAll("tr[data-row]"));
    var at = -1;
    function move(i) {
      if (!rows.length) return;
      if (at >= 0) rows[at].classList.remove("current");
      at = Math.max(0, Math.min(rows.length - 1, i));
      rows[at].classList.add("current");
      rows[at].scrollIntoView({ block: "nearest" });
    }
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      var row = rows[at];
      if (e.key === "j") { move(at + 1); e.preventDefault(); }
      else if (e.key === "k") { move(at - 1); e.preventDefault(); }
      else if (e.key === "x" && row) { var box = row.querySelector("input[name=items]"); box.checked = !box.checked; }
      else if (e.key === "Enter" && row) { row.querySelector("a[data-open]").click(); }
      else if (e.key === "c" && row) { var b = row.querySelector("button[data-confirm]"); if (b) b.click(); }
    });
  }
  var item = document.querySelector("[data-keys=item]");
  if (item) {
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      var target = item.querySelector("[data-key='" + e.key + "']");
      if (!target) return;
      e.preventDefault();
      if (target.tagName === "BUTTON") target.click(); else target.focus();
    });
  }
})();
