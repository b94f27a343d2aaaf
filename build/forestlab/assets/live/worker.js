// ForestLab live training: Pyodide in a module Web Worker (Pyodide needs a module worker),
// so the page keeps responding while Python loads and trains.
//
// Messages in:  {type: "boot", indexURLs, dataURL, lockURL} (Pyodide's hosts, tried in order)
//               {type: "train", request} (the request as JSON text) · {type: "predict", row}
// Messages out: {type: "stage", stage, ...} (stage "host" names the host that answered)
//               {type: "progress", tree, of}
//               {type: "result", record} · {type: "prediction", probabilities}
//               {type: "error", stage, message, text?}
// Every failure ends in an "error" message; the panel shows it. A refusal of the Python side
// carries `text`, its message as {key, params}, which the panel renders in the page's
// language; the worker's own messages are English.
//
// The Python side is forestlab.core.live, the same code the build trains with, from the
// package `forestlab-core` that the site publishes beside a Pyodide lock naming it (the pinned
// release's lock, with the wheel added by `pyodide lockfile add-wheels`). Pyodide installs it
// by name with what it depends on: numpy, scipy and scikit-learn come from the Pyodide host,
// the core from the site, each checked against the sha256 in the lock. forestlab.core.live
// checks every request against the widget's caps (the panel's form checks them first, for the
// student); this worker passes requests on as they are.

const CORE = "forestlab-core";
/** How long one Pyodide host may take to answer before the next one is tried. */
const HOST_TIMEOUT_MS = 6000;
/** The packages live training needs, and a module each installs. */
const MODULES = { numpy: "numpy", scipy: "scipy", "scikit-learn": "sklearn", [CORE]: "forestlab" };

let pyodide = null;
let entry = null;

class StageError extends Error {
  constructor(stage, message, text) {
    super(message);
    this.stage = stage;
    this.text = text;
  }
}

const post = (message) => self.postMessage(message);

async function fetchOk(url, stage) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new StageError(stage, `${url}: ${error.message}`);
  }
  if (!response.ok) throw new StageError(stage, `${url}: HTTP ${response.status}`);
  return response.text();
}

/** The first of `indexURLs` whose pyodide.mjs answers within HOST_TIMEOUT_MS (that file is
 * imported next anyway, so the probe costs nothing: the import comes from the cache). */
async function firstHost(indexURLs) {
  const tried = [];
  for (const indexURL of indexURLs) {
    try {
      const response = await fetch(new URL("pyodide.mjs", indexURL), { signal: AbortSignal.timeout(HOST_TIMEOUT_MS) });
      if (response.ok) return indexURL;
      tried.push(`${indexURL}: HTTP ${response.status}`);
    } catch (error) {
      const why = error.name === "TimeoutError" ? `no answer in ${HOST_TIMEOUT_MS / 1000} s` : error.message;
      tried.push(`${indexURL}: ${why}`);
    }
  }
  throw new StageError("runtime", `no Pyodide host answered (${tried.join("; ")})`);
}

async function boot({ indexURLs, dataURL, lockURL }) {
  post({ type: "stage", stage: "data" });
  const text = await fetchOk(dataURL, "data");
  const live = JSON.parse(text);
  if (live.schema !== "forestlab.live/1") throw new StageError("data", `unknown live data format ${live.schema}`);
  post({ type: "stage", stage: "data-ready", rows: live.n_train_rows, caps: live.caps });

  post({ type: "stage", stage: "runtime" });
  const lock = JSON.parse(await fetchOk(lockURL, "runtime"));
  const core = lock.packages?.[CORE];
  if (!core) throw new StageError("runtime", `${lockURL} names no ${CORE}`);
  core.file_name = new URL(core.file_name, lockURL).href; // the core beside the lock, on the site
  const indexURL = await firstHost(indexURLs);
  post({ type: "stage", stage: "host", host: new URL(indexURL).host });
  let loadPyodide;
  try {
    ({ loadPyodide } = await import(new URL("pyodide.mjs", indexURL).href));
    // every other package from the host that answered
    pyodide = await loadPyodide({ indexURL, lockFileContents: lock, packageBaseUrl: indexURL });
  } catch (error) {
    throw new StageError("runtime", `${indexURL}: ${error.message}`);
  }
  post({ type: "stage", stage: "runtime-ready", python: pyodide.runPython("import sys; sys.version.split()[0]") });

  post({ type: "stage", stage: "packages" });
  const problems = [];
  // A package that fails to load does not reject: loadPackage resolves, so check imports.
  await pyodide.loadPackage(CORE, { messageCallback: () => {}, errorCallback: (m) => problems.push(m) });
  const missing = Object.keys(MODULES).filter(
    (name) => !pyodide.runPython(`import importlib.util; importlib.util.find_spec("${MODULES[name]}") is not None`),
  );
  if (missing.length) {
    const detail = problems.length ? ` (${problems[0]})` : "";
    throw new StageError("packages", `${missing.join(", ")} not available from ${indexURL}${detail}`);
  }
  entry = pyodide.pyimport("forestlab.core.live").entry;
  const reply = JSON.parse(entry(JSON.stringify({ command: "load", data: text })));
  if (!reply.ok) throw new StageError("data", reply.error, reply.message);
  post({ type: "stage", stage: "ready" });
}

/** One command into Python; `json` is the message as JSON text. */
function call(command, json, report) {
  const reply = JSON.parse(entry(json, report));
  if (!reply.ok) throw new StageError(command, reply.error, reply.message);
  return reply;
}

function train(request) {
  if (!entry) throw new StageError("train", "Python is not ready (see the message above)");
  if (typeof request !== "string") throw new StageError("train", "the request must be JSON text");
  JSON.parse(request); // one JSON value, so it cannot reach outside "request" below
  const started = performance.now();
  const json = `{"command": "train", "request": ${request}}`;
  const { record } = call("train", json, (tree, of) => post({ type: "progress", tree, of }));
  post({ type: "result", record, seconds: (performance.now() - started) / 1000 });
}

function predict(row) {
  if (!entry) throw new StageError("predict", "Python is not ready");
  post({ type: "prediction", ...call("predict", JSON.stringify({ command: "predict", row })) });
}

self.onmessage = async ({ data: message }) => {
  try {
    if (message.type === "boot") await boot(message);
    else if (message.type === "train") train(message.request);
    else if (message.type === "predict") predict(message.row);
    else throw new StageError(message.type, `unknown message ${JSON.stringify(message.type)}`);
  } catch (error) {
    post({ type: "error", stage: error.stage ?? message.type, message: String(error.message ?? error), text: error.text });
  }
};
