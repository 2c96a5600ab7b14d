/* Upload files to hash with a progress bar (XMLHttpRequest upload progress), against the
   streaming endpoint POST /api/v1/evidence/upload. Large data: the offline tool is better. */
(function () {
  "use strict";

  var form = document.getElementById("upload-form");
  if (!form) {
    return;
  }
  var filesInput = document.getElementById("upload-files");
  var folderInput = document.getElementById("upload-folder");
  var button = document.getElementById("upload-button");
  var progress = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var summary = document.getElementById("upload-summary");
  var large = document.getElementById("upload-large");
  var threshold = Number(form.getAttribute("data-threshold"));
  var limit = Number(form.getAttribute("data-limit"));
  var confirmedLarge = false;

  function text(key, values) {
    var node = document.querySelector("#upload-messages [data-key=" + key + "]");
    var message = node ? node.textContent : key;
    Object.keys(values || {}).forEach(function (name) {
      message = message.replace("%(" + name + ")s", values[name]);
    });
    return message;
  }

  function chosen() {
    var files = Array.prototype.slice.call(filesInput.files || []);
    return files.concat(Array.prototype.slice.call(folderInput.files || []));
  }

  function size(bytes) {
    var units = ["B", "KB", "MB", "GB", "TB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit += 1;
    }
    return (unit ? value.toFixed(1) : String(value)) + " " + units[unit];
  }

  function total(files) {
    return files.reduce(function (sum, file) { return sum + file.size; }, 0);
  }

  function update() {
    var files = chosen();
    var bytes = total(files);
    confirmedLarge = false;
    large.hidden = true;
    button.disabled = files.length === 0;
    summary.textContent = files.length ? text("summary", { count: files.length, size: size(bytes) }) : "";
    if (bytes > limit) {
      status.textContent = text("limit");
      button.disabled = true;
    } else {
      status.textContent = "";
    }
  }

  filesInput.addEventListener("change", update);
  folderInput.addEventListener("change", update);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var files = chosen();
    if (!files.length) {
      return;
    }
    if (total(files) > threshold && !confirmedLarge) {
      large.hidden = false;
      confirmedLarge = true;
      button.textContent = text("anyway");
      large.focus();
      return;
    }
    var data = new FormData();
    files.forEach(function (file) {
      // The part's filename is the file's path in the dataset, percent-encoded UTF-8.
      data.append("file", file, encodeURIComponent(file.webkitRelativePath || file.name));
    });
    data.append("label", document.getElementById("upload-label").value);
    var alg = document.getElementById("upload-alg").value;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var request = new XMLHttpRequest();
    request.open("POST", form.getAttribute("action") + "?alg=" + encodeURIComponent(alg));
    request.setRequestHeader("X-CSRFToken", token);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", function (progressEvent) {
      if (progressEvent.lengthComputable) {
        var percent = Math.floor((progressEvent.loaded / progressEvent.total) * 100);
        progress.value = percent;
        progress.textContent = percent + "%";
        status.textContent = text("sending", { percent: percent + "%" });
      }
    });
    request.upload.addEventListener("load", function () {
      status.textContent = text("hashing");
    });
    request.addEventListener("load", function () {
      var body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch (ignored) {
        body = null;
      }
      if ((request.status === 200 || request.status === 201) && body && body.id) {
        status.textContent = text("done");
        window.location.assign(
          form.getAttribute("data-detail-url").replace("00000000-0000-0000-0000-000000000000", body.id)
        );
        return;
      }
      button.disabled = false;
      status.textContent = text("failed") + " " + ((body && body.detail) || request.status);
    });
    request.addEventListener("error", function () {
      button.disabled = false;
      status.textContent = text("network");
    });
    button.disabled = true;
    progress.value = 0;
    request.send(data);
  });

  update();
})();
