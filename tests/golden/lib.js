// Shared by tests/golden/regen.js and tests/bench/bench-ort.js: the model
// manifest, the golden manifest, and the input generators that
// tests/golden/golden.c implements identically in C.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const root = path.resolve(__dirname, '..', '..');

// onnxruntime-node lives in ORT_DIR (tests/golden/ort-install.sh), not in the tree.
function requireOrt() {
  const dir = path.resolve(root, process.env.ORT_DIR || 'build/ort');
  return require(path.join(dir, 'node_modules', 'onnxruntime-node'));
}
function requireDep(name) {
  const dir = path.resolve(root, process.env.ORT_DIR || 'build/ort');
  return require(path.join(dir, 'node_modules', name));
}

// models/MANIFEST: id package@version path sha256 licence key=value...
function readModelManifest(file = path.join(root, 'models', 'MANIFEST')) {
  const models = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!/^[a-z0-9]/.test(line)) continue;
    const [id, pkg, pkgPath, sha256, licence, ...kv] = line.trim().split(/\s+/);
    const m = { id, pkg, pkgPath, sha256, licence };
    for (const t of kv) {
      const i = t.indexOf('=');
      m[t.slice(0, i)] = t.slice(i + 1);
    }
    m.dims = m.shape.split('x').map(Number);
    m.mean = Number(m.mean);
    m.std = Number(m.std);
    models.push(m);
  }
  return models;
}

function sha256File(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

// xorshift32 (13/17/5); value = (x >>> 8) / 2^23 - 1, exact in float32.
function randomFill(seed, n) {
  const out = new Float32Array(n);
  let x = seed >>> 0;
  if (x === 0) throw new Error('seed must be nonzero');
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = (x >>> 8) / 8388608 - 1;
  }
  return out;
}

// (x - mean) / std in double, rounded once to float32 on assignment.
function normalize(u8, mean, std) {
  const out = new Float32Array(u8.length);
  for (let i = 0; i < u8.length; i++) out[i] = (u8[i] - mean) / std;
  return out;
}

// lanesight-infer's file name for an output: ':' and '/' become '_'.
const outputFileName = (name) => name.replace(/[:/]/g, '_');

function caseInput(model, c, goldenDir) {
  const n = model.dims.reduce((a, b) => a * b, 1);
  if (c.kind === 'random') return randomFill(Number(c.arg), n);
  const u8 = fs.readFileSync(path.join(goldenDir, c.arg));
  if (u8.length !== n) throw new Error(`${c.arg}: ${u8.length} bytes, ${model.id} takes ${n}`);
  return normalize(u8, model.mean, model.std);
}

module.exports = {
  root, requireOrt, requireDep, readModelManifest, sha256File, randomFill, normalize, outputFileName,
  caseInput,
};
