// The clock widget: when the policy asks for a location, fill the form's hidden latitude/longitude from the
// browser before it is sent. Without JavaScript (or without permission) the form posts without a location.
(function () {
  "use strict";
  function fill(form, done) {
    if (!navigator.geolocation) { done(); return; }
    var finished = false;
    function finish() { if (!finished) { finished = true; done(); } }
    var timer = setTimeout(finish, 8000);
    navigator.geolocation.getCurrentPosition(function (position) {
      clearTimeout(timer);
      form.elements.latitude.value = position.coords.latitude.toFixed(6);
      form.elements.longitude.value = position.coords.longitude.toFixed(6);
      form.elements.accuracy_m.value = Math.round(position.coords.accuracy);
      finish();
    }, function () { clearTimeout(timer); finish(); }, {enableHighAccuracy: true, timeout: 7000, maximumAge: 60000});
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-clock-location]") || form.dataset.located) { return; }
    event.preventDefault();
    var button = event.submitter;
    fill(form, function () {
      form.dataset.located = "1";
      if (button && button.name) {
        var chosen = document.createElement("input");
        chosen.type = "hidden"; chosen.name = button.name; chosen.value = button.value;
        form.appendChild(chosen);
      }
      form.submit();
    });
  });
})();
