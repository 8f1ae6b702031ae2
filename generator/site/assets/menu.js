// The menu button of narrow screens (theme_overrides/partials/header.html).
//
// Material opens its navigation drawer with a <label> for a hidden checkbox, which the
// keyboard never reaches. With JavaScript the header shows a real button in its place
// (access.css): it works the same checkbox, says whether the drawer is open
// (aria-expanded) and takes the focus into the drawer it opens; Escape closes the
// drawer and brings the focus back to the button.
(function () {
  "use strict";

  var drawer = document.getElementById("__drawer");
  var button = document.querySelector("button[data-xs-menu]");
  if (!drawer || !button) return;

  function update() {
    button.setAttribute("aria-expanded", drawer.checked ? "true" : "false");
  }

  button.addEventListener("click", function () {
    drawer.click(); // as the label does: Material follows the checkbox's change
    if (!drawer.checked) return;
    var first = document.querySelector(".md-sidebar--primary a[href]");
    if (first) first.focus();
  });
  drawer.addEventListener("change", update);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !drawer.checked) return;
    drawer.click();
    button.focus();
  });
  update();
})();
