// The static twin of an explorer: every frame precomputed, sliders switch between them.
// Filled in by rnnlib.course.widgets.Explorer.static_html, which substitutes the figure's id below.
(function() {
  var root = document.getElementById("$uid");
  var data = JSON.parse(root.querySelector(".bptt-data").textContent);
  var inputs = root.querySelectorAll("[data-axis]:not(output)");
  var outputs = root.querySelectorAll("output[data-axis]");
  var img = root.querySelector(".bptt-frame");
  var play = root.querySelector(".bptt-play");
  var timer = null;
  function index() {
    var k = 0;
    for (var i = 0; i < data.sizes.length; i++) {
      var stride = 1;
      for (var j = i + 1; j < data.sizes.length; j++) stride *= data.sizes[j];
      k += parseInt(inputs[i].value, 10) * stride;
    }
    return k;
  }
  function show() {
    var k = index();
    img.src = "data:image/png;base64," + data.frames[k];
    img.alt = data.alts[k];
    for (var i = 0; i < inputs.length; i++) outputs[i].textContent = data.labels[i][parseInt(inputs[i].value, 10)];
    root.setAttribute("data-frame", k);
  }
  for (var i = 0; i < inputs.length; i++) inputs[i].addEventListener("input", show);
  for (var i = 0; i < inputs.length; i++) inputs[i].addEventListener("change", show);
  play.addEventListener("click", function() {
    if (timer) { clearInterval(timer); timer = null; play.innerHTML = "&#9654; Play"; return; }
    play.innerHTML = "&#10074;&#10074; Pause";
    timer = setInterval(function() {
      var s = inputs[0], n = data.sizes[0];
      s.value = (parseInt(s.value, 10) + 1) % n;
      show();
    }, 700);
  });
  show();
})();
