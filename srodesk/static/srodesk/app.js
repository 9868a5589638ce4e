// Progressive enhancement only: every page works (for reading) with JavaScript off.
// An invalid form answers 422 with the re-rendered form: swap it in so nothing typed is lost.
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
document.addEventListener("htmx:responseError", function (event) {
  alert("The request failed (" + event.detail.xhr.status + "). Nothing was saved; please try again.");
});
