#!/usr/bin/env node
// onnxruntime-node with lanesight-infer's command line, so that the benchmark
// and the golden checker can run either one the same way:
//   node tests/bench/bench-ort.js --model FILE --input [NAME=]FILE [--output-dir DIR]
//        [--repeat N] [--threads N] [--warmup N] [--denormals flush|keep]
// Prints one JSON line {"model","backend","latency_ms":{min,median,p99},"outputs":[{name,shape}]}.
// Inputs are raw little-endian float32 in the model's declared shape.
// intra_op threads = --threads, inter_op 1, sequential execution, all graph
// optimisations and denormals flushed to zero (session.set_denormal_as_zero,
// as lanesight's CPU backend does): onnxruntime's fastest CPU configuration
// for one stream. --denormals keep measures it without the flush.
'use strict';
const fs = require('fs');
const path = require('path');
const lib = require('../golden/lib.js');

function usage(msg) {
  if (msg) console.error(`bench-ort.js: ${msg}`);
  console.error('usage: bench-ort.js --model FILE --input [NAME=]FILE [--output-dir DIR] [--repeat N] [--threads N] [--warmup N] [--denormals flush|keep]');
  process.exit(2);
}

const opt = { inputs: [], repeat: 1, threads: 1, warmup: 1, denormals: 'flush' };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i], v = process.argv[i + 1];
  if (v === undefined) usage(`${a} needs a value`);
  i++;
  if (a === '--model') opt.model = v;
  else if (a === '--input') opt.inputs.push(v);
  else if (a === '--output-dir') opt.outDir = v;
  else if (a === '--backend') { if (v !== 'cpu') usage('only --backend cpu'); }
  else if (a === '--denormals') { if (v !== 'flush' && v !== 'keep') usage(`bad --denormals '${v}'`); opt.denormals = v; }
  else if (['--repeat', '--threads', '--warmup'].includes(a)) {
    const n = Number(v);
    if (!Number.isInteger(n) || n < (a === '--warmup' ? 0 : 1)) usage(`bad ${a} '${v}'`);
    opt[a.slice(2)] = n;
  } else usage(`unknown option '${a}'`);
}
if (!opt.model || opt.inputs.length === 0) usage();

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

async function main() {
  const ort = lib.requireOrt();
  // session.set_denormal_as_zero flushes on the thread that creates the
  // session and on onnxruntime's pool threads, but node runs session.run() on
  // a libuv worker. Workers copy the floating-point mode of the main thread
  // when libuv starts them, at the first asynchronous job: so the session is
  // created from a buffer (synchronously, on the main thread) before any.
  // Checked with a Mul by 0.5 of 2e-38: no denormal output at 1 or 2 threads
  // this way; with the path, or a session made earlier, the worker's share
  // of the output stays denormal.
  const session = await ort.InferenceSession.create(fs.readFileSync(opt.model), {
    intraOpNumThreads: opt.threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all', logSeverityLevel: 3,
    extra: { session: { set_denormal_as_zero: opt.denormals === 'flush' ? '1' : '0' } },
  });
  const feeds = {};
  for (const spec of opt.inputs) {
    const eq = spec.indexOf('=');
    const name = eq > 0 ? spec.slice(0, eq) : session.inputNames[0];
    const file = eq > 0 ? spec.slice(eq + 1) : spec;
    const meta = session.inputMetadata.find((m) => m.name === name);
    if (!meta) throw new Error(`model has no input '${name}'`);
    const dims = meta.shape.map((d) => (typeof d === 'number' ? d : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    const buf = fs.readFileSync(file);
    if (buf.length !== n * 4) throw new Error(`${file}: ${buf.length} bytes, input '${name}' [${dims}] takes ${n * 4}`);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = buf.readFloatLE(i * 4);
    feeds[name] = new ort.Tensor('float32', data, dims);
  }
  for (const name of session.inputNames) if (!feeds[name]) throw new Error(`no data for input '${name}'`);

  for (let i = 0; i < opt.warmup; i++) await session.run(feeds);
  const times = [];
  let outs;
  for (let i = 0; i < opt.repeat; i++) {
    const t0 = process.hrtime.bigint();
    outs = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const outputs = session.outputNames.map((name) => ({ name, shape: outs[name].dims }));
  if (opt.outDir) {
    fs.mkdirSync(opt.outDir, { recursive: true });
    for (const name of session.outputNames) {
      const d = outs[name].data;
      fs.writeFileSync(path.join(opt.outDir, `${lib.outputFileName(name)}.bin`), Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    }
  }
  const r3 = (x) => Math.round(x * 1000) / 1000;
  console.log(JSON.stringify({
    model: opt.model, backend: 'onnxruntime-cpu',
    latency_ms: { min: r3(times[0]), median: r3(percentile(times, 0.5)), p99: r3(percentile(times, 0.99)) },
    outputs,
  }));
}
main().catch((e) => { console.error(`bench-ort.js: ${e.message}`); process.exit(1); });
