#!/usr/bin/env node
// Computes the golden outputs with onnxruntime-node. Run through
// tests/golden/regen.sh, which installs the dependencies and fetches the
// images:
//   node tests/golden/regen.js --models DIR --images DIR [--out tests/golden/data]
// For each model of models/MANIFEST: two real images (public-domain portraits
// from Debian packages) preprocessed by the model's convention and stored as
// uint8 in tensor order, and two seeded random inputs; the outputs of
// onnxruntime (1 thread, all graph optimisations) are stored as raw float32.
'use strict';
const fs = require('fs');
const path = require('path');
const lib = require('./lib.js');

const args = { out: path.join(__dirname, 'data') };
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.models || !args.images) {
  console.error('usage: regen.js --models DIR --images DIR [--out DIR]');
  process.exit(2);
}
const ort = lib.requireOrt();
const jpeg = lib.requireDep('jpeg-js');
const { PNG } = lib.requireDep('pngjs');

const IMAGES = [
  // name, file under --images, licence
  ['grace-hopper', 'usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg'],
  ['astronaut', 'usr/lib/python3/dist-packages/skimage/data/astronaut.png'],
];
const SEEDS = { 'blazeface-front-128': [1, 2], 'blazeface-back-256': [3, 4], 'fr-feature-112': [5, 6] };
// ArcFace 112x112 template: subject's right eye (image left), left eye.
const EYES = [[38.2946, 51.6963], [73.5318, 51.5014]];

function decode(file) {
  const buf = fs.readFileSync(file);
  const img = file.endsWith('.png') ? PNG.sync.read(buf) : jpeg.decode(buf, { useTArray: true });
  const rgb = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++)
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = img.data[i * 4 + c];
  return { w: img.width, h: img.height, rgb };
}

// Bilinear sample at (x, y) in pixel-index coordinates; black outside.
function sample(img, x, y, c) {
  const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
  const px = (xx, yy) => (xx < 0 || yy < 0 || xx >= img.w || yy >= img.h) ? 0 : img.rgb[(yy * img.w + xx) * 3 + c];
  return (px(x0, y0) * (1 - fx) + px(x0 + 1, y0) * fx) * (1 - fy) +
         (px(x0, y0 + 1) * (1 - fx) + px(x0 + 1, y0 + 1) * fx) * fy;
}
const clampEdge = (v, n) => Math.min(Math.max(v, 0), n - 1);

// Letterbox to SxS (centred, black padding, half-pixel centres): HWC RGB uint8.
function letterbox(img, S) {
  const scale = S / Math.max(img.w, img.h);
  const nw = Math.round(img.w * scale), nh = Math.round(img.h * scale);
  const ox = Math.floor((S - nw) / 2), oy = Math.floor((S - nh) / 2);
  const out = new Uint8Array(S * S * 3);
  for (let Y = oy; Y < oy + nh; Y++)
    for (let X = ox; X < ox + nw; X++) {
      const sx = clampEdge((X - ox + 0.5) / scale - 0.5, img.w), sy = clampEdge((Y - oy + 0.5) / scale - 0.5, img.h);
      for (let c = 0; c < 3; c++) out[(Y * S + X) * 3 + c] = Math.round(sample(img, sx, sy, c));
    }
  return { u8: out, scale, ox, oy };
}

// Best BlazeFace detection (reference.md's anchors and decoding), in image pixels.
function bestFace(outputs, S, lb) {
  const anchors = [];
  for (const [g, k] of [[16, 2], [8, 6]])
    for (let r = 0; r < g; r++) for (let c = 0; c < g; c++) for (let a = 0; a < k; a++)
      anchors.push([(c + 0.5) / g, (r + 0.5) / g]);
  const logits = [...outputs['Identity:0'].data, ...outputs['Identity_1:0'].data];
  const reg = [...outputs['Identity_2:0'].data, ...outputs['Identity_3:0'].data];
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  const [ax, ay] = anchors[best], r = reg.slice(best * 16, best * 16 + 16);
  const toImg = (x, y) => [(x * S - lb.ox) / lb.scale, (y * S - lb.oy) / lb.scale];
  return {
    score: 1 / (1 + Math.exp(-logits[best])),
    eyes: [toImg(ax + r[4] / S, ay + r[5] / S), toImg(ax + r[6] / S, ay + r[7] / S)],
  };
}

// Similarity warp putting the two eyes on the template; NCHW BGR uint8.
function alignedFace(img, eyes) {
  const [[x0, y0], [x1, y1]] = eyes, [[u0, v0], [u1, v1]] = EYES;
  // Complex-number form: src = a * dst + b with a, b complex.
  const dx = u1 - u0, dy = v1 - v0, sx = x1 - x0, sy = y1 - y0, d2 = dx * dx + dy * dy;
  const ar = (sx * dx + sy * dy) / d2, ai = (sy * dx - sx * dy) / d2;
  const br = x0 - (ar * u0 - ai * v0), bi = y0 - (ai * u0 + ar * v0);
  const out = new Uint8Array(3 * 112 * 112);
  for (let v = 0; v < 112; v++)
    for (let u = 0; u < 112; u++) {
      const x = ar * u - ai * v + br, y = ai * u + ar * v + bi;
      for (let c = 0; c < 3; c++) out[(2 - c) * 112 * 112 + v * 112 + u] = Math.round(sample(img, x, y, c));
    }
  return out;
}

async function run(session, model, data) {
  const feeds = { [model.input]: new ort.Tensor('float32', data, model.dims) };
  return session.run(feeds);
}

async function main() {
  const models = lib.readModelManifest();
  const byId = new Map(models.map((m) => [m.id, m]));
  const sessions = new Map(), plain = new Map();
  const lines = [
    '# Golden outputs of onnxruntime for lanesight\'s models. Made by tests/golden/regen.sh: do not edit.',
    '# ort VERSION | model ID SHA256 | case ID CASE random SEED | case ID CASE image FILE.u8 |',
    '# output ID CASE FILE SHAPE SPREAD NAME. FILE: NAME with : and / as _. SPREAD: max|a-b|/max|b| between',
    '# onnxruntime with all graph optimisations and with none (float rounding noise). See tests/golden/README.md.',
    `ort onnxruntime-node ${lib.requireDep('onnxruntime-node/package.json').version}`,
  ];
  for (const m of models) {
    const file = path.join(args.models, `${m.id}.onnx`);
    const sha = lib.sha256File(file);
    if (sha !== m.sha256) throw new Error(`${file}: sha256 ${sha}, manifest says ${m.sha256}`);
    const opts = { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 };
    sessions.set(m.id, await ort.InferenceSession.create(file, { ...opts, graphOptimizationLevel: 'all' }));
    plain.set(m.id, await ort.InferenceSession.create(file, { ...opts, graphOptimizationLevel: 'disabled' }));
    const meta = sessions.get(m.id).inputMetadata[0];
    if (meta.name !== m.input || meta.shape.join('x') !== m.shape)
      throw new Error(`${m.id}: model input ${meta.name} ${meta.shape.join('x')}, manifest says ${m.input} ${m.shape}`);
    lines.push(`model ${m.id} ${sha}`);
  }

  fs.rmSync(args.out, { recursive: true, force: true });
  fs.mkdirSync(path.join(args.out, 'inputs'), { recursive: true });
  const cases = [];
  const front = byId.get('blazeface-front-128');
  for (const [name, rel] of IMAGES) {
    const img = decode(path.join(args.images, rel));
    for (const m of models.filter((x) => x.layout === 'NHWC')) {
      const S = m.dims[1], lb = letterbox(img, S);
      const file = `inputs/${name}-${S}.u8`;
      fs.writeFileSync(path.join(args.out, file), lb.u8);
      cases.push({ id: m.id, name, kind: 'image', arg: file });
    }
    const lb = letterbox(img, 128);
    const face = bestFace(await run(sessions.get(front.id), front, lib.normalize(lb.u8, front.mean, front.std)), 128, lb);
    console.log(`${name}: ${img.w}x${img.h}, face score ${face.score.toFixed(3)}, eyes ${face.eyes.map((e) => e.map((v) => v.toFixed(1)).join(',')).join(' ')}`);
    if (face.score < 0.5) throw new Error(`${name}: no face found`);
    const file = `inputs/${name}-face-112.u8`;
    fs.writeFileSync(path.join(args.out, file), alignedFace(img, face.eyes));
    cases.push({ id: 'fr-feature-112', name, kind: 'image', arg: file });
  }
  for (const m of models)
    for (const seed of SEEDS[m.id]) cases.push({ id: m.id, name: `random-${seed}`, kind: 'random', arg: String(seed) });
  cases.sort((a, b) => models.indexOf(byId.get(a.id)) - models.indexOf(byId.get(b.id)));

  for (const c of cases) {
    const m = byId.get(c.id);
    lines.push(`case ${c.id} ${c.name} ${c.kind} ${c.arg}`);
    const input = lib.caseInput(m, c, args.out);
    const outs = await run(sessions.get(m.id), m, input);
    const ref = await run(plain.get(m.id), m, input);
    const dir = path.join(args.out, m.id, c.name);
    fs.mkdirSync(dir, { recursive: true });
    for (const name of sessions.get(m.id).outputNames) {
      const t = outs[name], u = ref[name];
      let maxAbs = 0, maxRef = 0;
      for (let i = 0; i < t.data.length; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(t.data[i] - u.data[i]));
        maxRef = Math.max(maxRef, Math.abs(t.data[i]));
      }
      const file = lib.outputFileName(name);
      fs.writeFileSync(path.join(dir, `${file}.bin`), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      const spread = (maxRef > 0 ? maxAbs / maxRef : maxAbs).toExponential(2);
      lines.push(`output ${c.id} ${c.name} ${file} ${t.dims.join('x')} ${spread} ${name}`);
      console.log(`${c.id} ${c.name} ${name} [${t.dims.join(',')}] max|b| ${maxRef.toPrecision(4)} spread ${spread}`);
    }
  }
  fs.writeFileSync(path.join(args.out, 'GOLDEN'), lines.join('\n') + '\n');
}

main().catch((e) => { console.error(`regen.js: ${e.message}`); process.exit(1); });
