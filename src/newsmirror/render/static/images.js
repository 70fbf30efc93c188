// An image whose proxy fails tries the next one listed in its data-fallback
// attribute (written by the image policy); the article reads fine without it.
(function () {
  "use strict";
  document.addEventListener("error", function (event) {
    var img = event.target;
    if (!img || img.tagName !== "IMG" || !img.dataset.fallback) { return; }
    var rest = img.dataset.fallback.trim().split(/\s+/);
    var next = rest.shift();
    if (!next) { return; }
    img.dataset.fallback = rest.join(" ");
    var picture = img.parentElement;
    if (picture && picture.tagName === "PICTURE") {
      picture.querySelectorAll("source").forEach(function (source) { source.remove(); });
    }
    img.removeAttribute("srcset");
    img.src = next;
  }, true);
})();
