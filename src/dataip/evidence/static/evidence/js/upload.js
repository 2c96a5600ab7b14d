/* Upload files to hash, resumably, against /api/v1/evidence/uploads (tus 1.0.0 core per file).

   One code path for a new upload, for "Resume" after a broken connection and for continuing an
   unfinished upload listed on the page: open (or fetch) the upload, send each incomplete file's
   bytes in PATCH pieces from its offset, up to three files at a time, then complete it and open
   the record. XMLHttpRequest, because fetch has no upload progress. The server keeps a file's
   progress in whole MiB, so pieces are whole MiB (except a file's last) and the next piece
   always starts at the Upload-Offset the server answered. A broken connection is retried after
   1, 2, 4, 8 and 16 s, each time asking the server (HEAD) where to continue; then the page
   offers to resume by hand. Every message comes from the <template id="upload-messages">, so it
   is translated on the server. */
(function () {
  "use strict";

  var MIB = 1048576;
  // Each piece costs a round trip and a small transaction: 32 MiB keeps that a few per cent of
  // the time (docs/benchmarks.md, "Uploads"); a broken piece still keeps its whole MiB.
  var PIECE = 32 * MIB;
  var PARALLEL = 3;
  var DELAYS = [1000, 2000, 4000, 8000, 16000];
  var TUS = "1.0.0";
  var ZERO_ID = "00000000-0000-0000-0000-000000000000";
  var SHOWN = 20; // names listed per kind of mismatch
  var STEP = 5; // percent between two progress messages in the status line

  var form = document.getElementById("upload-form");
  if (!form) {
    return;
  }
  var api = form.getAttribute("data-api");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  var messages = document.getElementById("upload-messages");

  function text(key, values) {
    // A <template>'s content is a fragment of its own, outside the document's tree.
    var node = (messages.content || messages).querySelector("[data-key=" + key + "]");
    var message = node ? node.textContent : key;
    Object.keys(values || {}).forEach(function (name) {
      message = message.split("%(" + name + ")s").join(String(values[name]));
    });
    return message;
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

  /* The file's path in the dataset, as the server keeps it (NFC: macOS gives NFD names). */
  function path(file) {
    var name = file.webkitRelativePath || file.name;
    return name.normalize ? name.normalize("NFC") : name;
  }

  function filesOf(inputs) {
    var files = [];
    inputs.forEach(function (input) {
      files = files.concat(Array.prototype.slice.call(input.files || []));
    });
    return files;
  }

  function detailUrl(evidenceId) {
    return form.getAttribute("data-detail-url").replace(ZERO_ID, evidenceId);
  }

  /* One request; done(broken, xhr, body) with broken true when no answer came back. */
  function send(method, url, options, done) {
    var xhr = new XMLHttpRequest();
    var finished = false;
    var body = options.body === undefined ? null : options.body;
    xhr.open(method, url);
    xhr.setRequestHeader("Accept", "application/json");
    if (method !== "GET" && method !== "HEAD") {
      xhr.setRequestHeader("X-CSRFToken", token);
    }
    if (options.json !== undefined) {
      xhr.setRequestHeader("Content-Type", "application/json");
      body = JSON.stringify(options.json);
    }
    Object.keys(options.headers || {}).forEach(function (name) {
      xhr.setRequestHeader(name, options.headers[name]);
    });
    if (options.progress) {
      xhr.upload.addEventListener("progress", options.progress);
    }
    function finish(broken) {
      if (finished) {
        return;
      }
      finished = true;
      var parsed = null;
      if (!broken && xhr.responseText) {
        try {
          parsed = JSON.parse(xhr.responseText);
        } catch (ignored) {
          parsed = null;
        }
      }
      done(broken || xhr.status === 0, xhr, parsed);
    }
    xhr.addEventListener("load", function () { finish(false); });
    xhr.addEventListener("error", function () { finish(true); });
    xhr.addEventListener("abort", function () { finish(true); });
    xhr.addEventListener("timeout", function () { finish(true); });
    xhr.send(body);
    return xhr;
  }

  /* Worth trying again: no answer, or a proxy or server that is briefly away. */
  function transient(broken, xhr) {
    return broken || xhr.status === 408 || xhr.status === 429 || xhr.status === 502 ||
      xhr.status === 503 || xhr.status === 504;
  }

  function failure(xhr, body) {
    if (body && body.detail) {
      return text("failed") + " " + body.detail;
    }
    return xhr.status === 404 ? text("gone") : text("failed") + " " + xhr.status + " " + xhr.statusText;
  }

  function retrying(attempt) {
    return text("retrying", {
      seconds: DELAYS[attempt] / 1000,
      attempt: attempt + 1,
      attempts: DELAYS.length
    });
  }

  function offsetHeader(xhr) {
    var value = parseInt(xhr.getResponseHeader("Upload-Offset"), 10);
    return isNaN(value) ? null : value;
  }

  /* Where an upload's progress and messages show, and what it does when it stops. */
  function View(options) {
    this.progress = options.progress;
    this.status = options.status;
    this.controls = options.controls;
    this.resume = options.resume;
    this.resumeBox = options.resumeBox; // shown and hidden (a .button ignores its own hidden)
    this.resumeAlways = Boolean(options.resumeAlways); // shown whenever nothing is running
    this.brokenKey = options.brokenKey || "broken";
    this.step = null; // the last STEP-percent step the status line told
  }

  View.prototype.busy = function (busy) {
    this.controls.forEach(function (control) { control.disabled = busy; });
    if (busy || this.resumeAlways) {
      this.resumeBox.hidden = busy;
    }
  };

  /* The bar follows every byte; the status line (a live region, read out) every STEP percent. */
  View.prototype.show = function (sent, all, quiet) {
    var percent = all ? Math.floor((sent / all) * 100) : 100;
    this.progress.value = percent;
    this.progress.textContent = percent + "%";
    var step = Math.floor(percent / STEP);
    if (!quiet && step !== this.step) {
      this.say(text("sending", { percent: percent + "%", sent: size(sent), total: size(all) }));
      this.step = step;
    }
  };

  View.prototype.say = function (message) {
    this.step = null; // after another message, the next progress is told again
    this.status.textContent = message;
  };

  View.prototype.broken = function () {
    this.busy(false);
    this.resumeBox.hidden = false;
    this.say(text(this.brokenKey, { attempts: DELAYS.length }));
    this.resume.focus();
  };

  View.prototype.fail = function (message) {
    this.busy(false);
    this.say(message);
  };

  /* Send what is missing of ``upload`` (an UploadOut with its files), then record it.
     ``files[position]`` is the chosen File of the upload's file at that position. */
  function Run(view, upload, files) {
    this.view = view;
    this.upload = upload;
    this.files = files;
    this.offsets = {};
    this.inflight = {};
    this.requests = {};
    this.timers = [];
    this.stopped = false;
    this.active = 0;
    this.queue = [];
    var run = this;
    upload.files.forEach(function (entry) {
      run.offsets[entry.position] = entry.offset;
      if (!entry.complete && entry.offset < entry.size) {
        run.queue.push(entry);
      }
    });
  }

  Run.prototype.start = function () {
    var run = this;
    run.view.busy(true);
    run.shown(true); // the bar where the server has it; the message before stays
    var workers = Math.min(PARALLEL, run.queue.length);
    if (!workers) {
      run.complete(0);
      return;
    }
    for (var n = 0; n < workers; n += 1) {
      run.active += 1;
      run.next();
    }
  };

  Run.prototype.shown = function (quiet) {
    var run = this;
    var sent = 0;
    Object.keys(run.offsets).forEach(function (position) {
      sent += run.offsets[position] + (run.inflight[position] || 0);
    });
    run.view.show(Math.min(sent, run.upload.total_bytes), run.upload.total_bytes, quiet);
  };

  /* A worker takes the next incomplete file; the last worker to finish completes the upload. */
  Run.prototype.next = function () {
    if (this.stopped) {
      return;
    }
    var entry = this.queue.shift();
    if (entry) {
      this.piece(entry, 0, 0);
      return;
    }
    this.active -= 1;
    if (this.active === 0) {
      this.complete(0);
    }
  };

  Run.prototype.piece = function (entry, attempt, mismatches) {
    var run = this;
    var position = entry.position;
    var offset = run.offsets[position];
    if (run.stopped) {
      return;
    }
    if (offset >= entry.size) {
      run.next();
      return;
    }
    var end = Math.min(offset + PIECE, entry.size);
    run.requests[position] = send("PATCH", entry.url, {
      headers: {
        "Content-Type": "application/offset+octet-stream",
        "Upload-Offset": String(offset),
        "Tus-Resumable": TUS
      },
      body: run.files[position].slice(offset, end),
      progress: function (event) {
        run.inflight[position] = Math.min(event.loaded, end - offset);
        run.shown();
      }
    }, function (broken, xhr, body) {
      delete run.requests[position];
      run.inflight[position] = 0;
      if (run.stopped) {
        return;
      }
      var answered = broken ? null : offsetHeader(xhr);
      if (!broken && xhr.status === 204 && answered !== null && answered > offset) {
        run.offsets[position] = answered;
        run.shown();
        run.piece(entry, 0, 0);
      } else if (!broken && xhr.status === 409 && body && body.code === "upload_offset_mismatch" &&
                 typeof body.offset === "number" && mismatches < 3) {
        // Another tab (or a piece whose answer was lost) moved it on: continue from there.
        run.offsets[position] = body.offset;
        run.piece(entry, attempt, mismatches + 1);
      } else if (transient(broken, xhr) || (body && body.code === "upload_piece_interrupted") ||
                 xhr.status === 204) {
        run.retry(attempt, function (again) { run.resync(entry, again); });
      } else {
        run.fail(failure(xhr, body));
      }
    });
  };

  /* After a break: ask the server how much of the file it kept, then carry on from there. */
  Run.prototype.resync = function (entry, attempt) {
    var run = this;
    run.requests[entry.position] = send("HEAD", entry.url, { headers: { "Tus-Resumable": TUS } },
      function (broken, xhr) {
        delete run.requests[entry.position];
        if (run.stopped) {
          return;
        }
        var offset = broken ? null : offsetHeader(xhr);
        if (!broken && xhr.status === 200 && offset !== null) {
          run.offsets[entry.position] = offset;
          run.shown();
          run.piece(entry, attempt, 0);
        } else if (transient(broken, xhr)) {
          run.retry(attempt, function (again) { run.resync(entry, again); });
        } else {
          run.fail(failure(xhr, null));
        }
      });
  };

  /* Wait the attempt's back-off, then ``again(attempt + 1)``; after the last, stop: broken. */
  Run.prototype.retry = function (attempt, again) {
    var run = this;
    if (attempt >= DELAYS.length) {
      run.stop();
      run.view.broken();
      return;
    }
    run.view.say(retrying(attempt));
    run.timers.push(window.setTimeout(function () {
      if (!run.stopped) {
        again(attempt + 1);
      }
    }, DELAYS[attempt]));
  };

  Run.prototype.stop = function () {
    var run = this;
    run.stopped = true;
    run.timers.forEach(function (timer) { window.clearTimeout(timer); });
    Object.keys(run.requests).forEach(function (position) { run.requests[position].abort(); });
  };

  Run.prototype.fail = function (message) {
    this.stop();
    this.view.fail(message);
  };

  Run.prototype.complete = function (attempt) {
    var run = this;
    run.view.say(text("hashing"));
    send("POST", api + "/" + run.upload.id + "/complete", {}, function (broken, xhr, body) {
      if (run.stopped) {
        return;
      }
      if (!broken && (xhr.status === 200 || xhr.status === 201) && body && body.id) {
        run.view.say(text("done"));
        window.location.assign(detailUrl(body.id));
      } else if (!broken && xhr.status === 409 && body && body.code === "upload_incomplete") {
        run.stop();
        run.again(failure(xhr, body));
      } else if (transient(broken, xhr)) {
        run.retry(attempt, function (again) { run.complete(again); });
      } else {
        run.fail(failure(xhr, body));
      }
    });
  };

  /* The server misses part of a file after all (another tab, a lost answer): fetch the upload
     and send what it lacks; fail with ``message`` if it lacks nothing this run could send. */
  Run.prototype.again = function (message) {
    var run = this;
    send("GET", api + "/" + run.upload.id, {}, function (broken, xhr, body) {
      var missing = !broken && xhr.status === 200 && body && body.files &&
        body.files.some(function (entry) { return !entry.complete; });
      if (missing) {
        new Run(run.view, body, run.files).start();
      } else if (transient(broken, xhr)) {
        run.view.broken();
      } else {
        run.view.fail(message);
      }
    });
  };

  /* Fetch the upload as the server has it now and send the rest: Resume, and the list. */
  function carryOn(view, id, filesFor, attempt) {
    attempt = attempt || 0;
    view.busy(true);
    if (!attempt) {
      view.say(text("checking"));
    }
    send("GET", api + "/" + id, {}, function (broken, xhr, body) {
      if (transient(broken, xhr)) {
        if (attempt >= DELAYS.length) {
          view.broken();
          return;
        }
        view.say(retrying(attempt));
        window.setTimeout(function () { carryOn(view, id, filesFor, attempt + 1); }, DELAYS[attempt]);
        return;
      }
      if (xhr.status !== 200 || !body || !body.files) {
        view.fail(failure(xhr, body));
        return;
      }
      if (body.evidence_id) {
        view.say(text("done"));
        window.location.assign(detailUrl(body.evidence_id));
        return;
      }
      var files = filesFor(body);
      if (!files) {
        view.busy(false);
        return;
      }
      var left = body.files.filter(function (entry) { return !entry.complete; }).length;
      if (left) {
        view.say(text("continuing", { count: left }));
      }
      new Run(view, body, files).start();
    });
  }

  /* --- a new upload ------------------------------------------------------------------------ */

  var filesInput = document.getElementById("upload-files");
  var folderInput = document.getElementById("upload-folder");
  var button = document.getElementById("upload-button");
  var resume = document.getElementById("upload-resume");
  var summary = document.getElementById("upload-summary");
  var large = document.getElementById("upload-large");
  var threshold = Number(form.getAttribute("data-threshold"));
  var limit = Number(form.getAttribute("data-limit"));
  var maxFiles = Number(form.getAttribute("data-max-files"));
  var maxBody = Number(form.getAttribute("data-max-body"));

  function declaration(files) {
    return files.map(function (file) {
      return { name: path(file), size: file.size, last_modified: file.lastModified };
    });
  }
  var confirmedLarge = false;
  var buttonText = button.textContent;
  var current = null; // {id, files}: the upload that "Resume" continues
  var view = new View({
    progress: document.getElementById("upload-progress"),
    status: document.getElementById("upload-status"),
    controls: [filesInput, folderInput, button, document.getElementById("upload-alg"),
      document.getElementById("upload-label")],
    resume: resume,
    resumeBox: document.getElementById("upload-resume-box")
  });
  // Broken: "Resume" carries on; a new upload of other files starts once they are chosen.
  view.broken = function () {
    View.prototype.broken.call(this);
    button.disabled = true;
  };

  function chosen() {
    return filesOf([filesInput, folderInput]);
  }

  function update() {
    var files = chosen();
    var bytes = total(files);
    if (current) {
      current = null; // other files: the broken upload stays under "Unfinished uploads"
      view.resumeBox.hidden = true;
    }
    confirmedLarge = false;
    large.hidden = true;
    button.textContent = buttonText;
    button.disabled = files.length === 0;
    summary.textContent = files.length ? text("summary", { count: files.length, size: size(bytes) }) : "";
    if (bytes > limit) {
      view.say(text("limit"));
      button.disabled = true;
    } else if (files.length > maxFiles) {
      view.say(text("too_many", { limit: maxFiles }));
      button.disabled = true;
    } else if (maxBody && new Blob([JSON.stringify(declaration(files))]).size > maxBody - 1000) {
      // The list of names would not fit in one request (a margin for the algorithm and label).
      view.say(text("declaration"));
      button.disabled = true;
    } else {
      view.say("");
    }
  }

  filesInput.addEventListener("change", update);
  folderInput.addEventListener("change", update);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var files = chosen();
    if (!files.length || button.disabled) {
      return;
    }
    if (total(files) > threshold && !confirmedLarge) {
      large.hidden = false;
      confirmedLarge = true;
      button.textContent = text("anyway");
      large.focus();
      return;
    }
    var declared = declaration(files);
    view.busy(true);
    view.progress.value = 0;
    view.say(text("starting"));
    current = null;
    send("POST", api, {
      json: {
        alg: document.getElementById("upload-alg").value,
        label: document.getElementById("upload-label").value,
        files: declared
      }
    }, function (broken, xhr, body) {
      if (broken) {
        view.fail(text("network"));
        return;
      }
      if (xhr.status !== 201 || !body || !body.files) {
        view.fail(failure(xhr, body));
        return;
      }
      // The server lists the files in the declared order: position = index in ``files``.
      current = { id: body.id, files: files };
      new Run(view, body, files).start();
    });
  });

  resume.addEventListener("click", function () {
    if (!current) {
      return;
    }
    var files = current.files;
    carryOn(view, current.id, function () { return files; });
  });

  update();

  /* --- unfinished uploads listed on the page ------------------------------------------------ */

  /* The chosen files by position in ``upload``, or null after listing what does not match. */
  function matched(upload, chosenFiles, list) {
    var byName = {};
    chosenFiles.forEach(function (file) { byName[path(file)] = file; });
    var problems = { missing: [], size_differs: [], changed: [], extra: [] };
    var files = [];
    var names = {};
    upload.files.forEach(function (entry) {
      var file = byName[entry.name];
      names[entry.name] = true;
      if (!file) {
        problems.missing.push(text("missing", { name: entry.name }));
      } else if (file.size !== entry.size) {
        problems.size_differs.push(text("size_differs", {
          name: entry.name, expected: entry.size, actual: file.size
        }));
      } else if (entry.last_modified !== null && entry.last_modified !== undefined &&
                 file.lastModified !== entry.last_modified) {
        problems.changed.push(text("changed", { name: entry.name }));
      }
      files[entry.position] = file;
    });
    Object.keys(byName).forEach(function (name) {
      if (!names[name]) {
        problems.extra.push(text("extra", { name: name }));
      }
    });
    list.textContent = "";
    var found = false;
    Object.keys(problems).forEach(function (kind) {
      var items = problems[kind];
      items.slice(0, SHOWN).forEach(function (message) {
        var item = document.createElement("li");
        item.textContent = message;
        list.appendChild(item);
      });
      if (items.length > SHOWN) {
        var more = document.createElement("li");
        more.textContent = text("more", { count: items.length - SHOWN });
        list.appendChild(more);
      }
      found = found || items.length > 0;
    });
    list.hidden = !found;
    return found ? null : files;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-upload-url]"), function (card) {
    var id = card.getAttribute("data-upload-url").split("/").pop();
    var panel = card.querySelector("[data-resume]");
    var inputs = [card.querySelector("[data-resume-files]"), card.querySelector("[data-resume-folder]")];
    var go = card.querySelector("[data-resume-button]");
    var goBox = card.querySelector("[data-resume-box]");
    var status = card.querySelector("[data-status]");
    var line = document.createElement("p");
    var advice = document.createElement("p");
    var problems = document.createElement("ul");
    problems.hidden = true;
    advice.hidden = true;
    advice.textContent = text("advice");
    status.appendChild(line);
    status.appendChild(problems);
    status.appendChild(advice);
    var cardView = new View({
      progress: card.querySelector("[data-progress]"),
      status: line,
      controls: inputs.concat([go]),
      resume: go, // the card's own button continues it again
      resumeBox: goBox,
      resumeAlways: true,
      brokenKey: "broken_listed"
    });
    panel.hidden = false;
    goBox.hidden = false;
    inputs.forEach(function (input) {
      input.addEventListener("change", function () {
        problems.hidden = true;
        advice.hidden = true;
        line.textContent = "";
      });
    });
    go.addEventListener("click", function () {
      var chosenFiles = filesOf(inputs);
      if (!chosenFiles.length) {
        cardView.say(text("choose"));
        inputs[1].focus();
        return;
      }
      problems.hidden = true;
      advice.hidden = true;
      carryOn(cardView, id, function (upload) {
        var files = matched(upload, chosenFiles, problems);
        if (!files) {
          cardView.say(text("mismatch"));
          advice.hidden = false;
        }
        return files;
      });
    });
  });
})();
