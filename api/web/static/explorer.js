// The explorer works without this script (forms and links); with it, the search page
// updates in place: results follow typing, ticking a facet applies it at once, the
// URL keeps the whole state (history entries for each change, the back button works),
// and models picked for comparison stay picked across pages.
(function () {
  "use strict";
  document.documentElement.classList.replace("no-js", "js");

  var box = document.getElementById("filters-box");
  if (box && window.matchMedia("(max-width: 800px)").matches) {
    box.open = false; // on a phone the results come first; filters open on demand
  }
  var form = document.getElementById("explorer");
  if (!form) {
    return;
  }
  var query = document.getElementById("q");
  var compareForm = document.getElementById("compare-form");
  var picked = new Set();
  var controller = null;
  var timer = null;
  var typing = false;

  function formUrl() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value === "string" && value.trim() !== "") {
        params.append(key, value.trim());
      }
    });
    var text = params.toString();
    return "/" + (text ? "?" + text : "");
  }

  function region(id) {
    return document.getElementById(id);
  }

  function swap(doc) {
    var ids = ["facets", "results"];
    for (var i = 0; i < ids.length; i++) {
      if (!doc.getElementById(ids[i])) {
        return false; // not a search page (an error page): show it as it is
      }
    }
    var focused = document.activeElement ? document.activeElement.id : "";
    var expanded = [];
    document.querySelectorAll("#facets details.more[open]").forEach(function (more) {
      expanded.push(more.closest("fieldset").getAttribute("data-field"));
    });
    ids.forEach(function (id) {
      region(id).innerHTML = doc.getElementById(id).innerHTML;
    });
    expanded.forEach(function (field) {
      var more = document.querySelector('#facets fieldset[data-field="' + field + '"] details.more');
      if (more) {
        more.open = true; // a facet the reader opened stays open
      }
    });
    document.title = doc.title;
    if (focused && focused !== "q") {
      var again = document.getElementById(focused);
      if (again) {
        again.focus(); // keyboard users stay on the box they just ticked
      }
    }
    restorePicked();
    return true;
  }

  function navigate(url, mode) {
    if (controller) {
      controller.abort();
    }
    controller = new AbortController();
    var results = region("results");
    results.setAttribute("aria-busy", "true");
    fetch(url, { signal: controller.signal, headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        if (!swap(doc)) {
          window.location.assign(url);
          return;
        }
        if (mode === "push") {
          history.pushState({ explorer: true }, "", url);
        } else if (mode === "replace") {
          history.replaceState({ explorer: true }, "", url);
        } else {
          var q = doc.getElementById("q");
          query.value = q ? q.value : "";
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          window.location.assign(url); // let the browser show what went wrong
        }
      })
      .finally(function () {
        results.removeAttribute("aria-busy");
      });
  }

  function counterpart(box) {
    // The "not" box of a value and its include box exclude each other.
    var name = box.name.indexOf("exclude_") === 0 ? box.name.slice(8) : "exclude_" + box.name;
    var item = box.closest(".bucket");
    return item ? item.querySelector('input[name="' + name + '"]') : null;
  }

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.form !== form || target === query) {
      return; // boxes that pick models for comparison belong to the compare form
    }
    if (target.type === "checkbox" && target.checked) {
      var other = counterpart(target);
      if (other) {
        other.checked = false;
      }
    }
    typing = false;
    navigate(formUrl(), "push");
  });

  query.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      // One history entry per burst of typing, not one per key.
      navigate(formUrl(), typing ? "replace" : "push");
      typing = true;
    }, 250);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    typing = false;
    navigate(formUrl(), "push");
  });

  form.addEventListener("click", function (event) {
    var link = event.target.closest("a");
    if (!link || link.hasAttribute("download") || event.ctrlKey || event.metaKey ||
        event.shiftKey || event.altKey || event.button !== 0) {
      return;
    }
    var url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname !== "/" ||
        url.searchParams.has("format")) {
      return;
    }
    event.preventDefault();
    typing = false;
    navigate(url.pathname + url.search, "push");
    if (link.rel === "next" || link.closest(".pager")) {
      form.scrollIntoView({ block: "start" });
    }
  });

  window.addEventListener("popstate", function () {
    typing = false;
    navigate(window.location.pathname + window.location.search, "none");
  });

  function showPicked() {
    var note = document.getElementById("picked");
    if (note) {
      note.textContent = picked.size ? picked.size + " picked" : "";
    }
  }

  function restorePicked() {
    document.querySelectorAll('input[form="compare-form"]').forEach(function (box) {
      box.checked = picked.has(box.value);
    });
    showPicked();
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.getAttribute && box.getAttribute("form") === "compare-form") {
      if (box.checked) {
        picked.add(box.value);
      } else {
        picked.delete(box.value);
      }
      showPicked();
    }
  });

  if (compareForm) {
    compareForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var params = new URLSearchParams();
      picked.forEach(function (ref) {
        params.append("refs", ref);
      });
      window.location.assign("/compare" + (picked.size ? "?" + params.toString() : ""));
    });
  }
  history.replaceState({ explorer: true }, "", window.location.href);
})();
