// Light or dark: the system's choice (prefers-color-scheme) until the header toggle picks one,
// which is remembered in localStorage. A classic script loaded in <head>, so the page never
// flashes the other theme; app.js wires the toggle button (#theme-toggle).
(function () {
  var KEY = 'switchboard.theme';
  var saved = null;
  try { saved = localStorage.getItem(KEY); } catch (e) { /* storage disabled */ }
  if (saved === 'light' || saved === 'dark') document.documentElement.dataset.theme = saved;
})();
