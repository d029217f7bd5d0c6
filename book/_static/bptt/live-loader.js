// Starts the live explorers (live.js, an ES module) unless the page was opened from disk: browsers
// refuse ES modules over file://, and the page would log an error. There, and with JavaScript off,
// the precomputed static twin stays in place.
(function () {
  if (location.protocol === "file:") return;
  var script = document.createElement("script");
  script.type = "module";
  script.src = new URL("live.js", document.currentScript.src).href;
  document.head.appendChild(script);
})();
