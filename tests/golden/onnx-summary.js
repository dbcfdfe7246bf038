#!/usr/bin/env node
// Prints an ONNX model's (or with --nodes, every node's) opsets, inputs, outputs and op histogram (with the
// attributes that matter to a backend), without any dependency: a minimal
// protobuf wire-format reader over the ONNX field numbers.
//
//   node tests/golden/onnx-summary.js [--nodes] MODEL.onnx...
'use strict';
const fs = require('fs');

function* fields(buf, start = 0, end = buf.length) {
  let p = start;
  const varint = () => {
    let v = 0n, shift = 0n;
    for (;;) {
      const b = buf[p++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  while (p < end) {
    const key = Number(varint());
    const num = key >>> 3, wt = key & 7;
    if (wt === 0) yield { num, wt, v: varint() };
    else if (wt === 1) { yield { num, wt, off: p, len: 8 }; p += 8; }
    else if (wt === 5) { yield { num, wt, off: p, len: 4 }; p += 4; }
    else if (wt === 2) { const len = Number(varint()); yield { num, wt, off: p, len }; p += len; }
    else throw new Error(`unsupported wire type ${wt}`);
  }
}
const str = (buf, f) => buf.toString('utf8', f.off, f.off + f.len);
const signed = (v) => Number(BigInt.asIntN(64, v));

function readPackedVarints(buf, f) {
  if (f.wt === 0) return [signed(f.v)];
  const out = []; let p = f.off;
  while (p < f.off + f.len) {
    let v = 0n, shift = 0n;
    for (;;) { const b = buf[p++]; v |= BigInt(b & 0x7f) << shift; if (!(b & 0x80)) break; shift += 7n; }
    out.push(signed(v));
  }
  return out;
}

function attribute(buf, f) {
  const a = { name: '', ints: [] };
  for (const g of fields(buf, f.off, f.off + f.len)) {
    if (g.num === 1) a.name = str(buf, g);
    else if (g.num === 2) a.f = buf.readFloatLE(g.off);
    else if (g.num === 3) a.i = signed(g.v);
    else if (g.num === 4) a.s = str(buf, g);
    else if (g.num === 8) a.ints.push(...readPackedVarints(buf, g));
    else if (g.num === 5) a.t = true;
  }
  if (a.i !== undefined) return [a.name, a.i];
  if (a.f !== undefined) return [a.name, +a.f.toPrecision(6)];
  if (a.s !== undefined) return [a.name, a.s];
  if (a.ints.length) return [a.name, `[${a.ints.join(',')}]`];
  if (a.t) return [a.name, '<tensor>'];
  return [a.name, '?'];
}

function valueInfo(buf, f) {
  let name = '', dims = [];
  for (const g of fields(buf, f.off, f.off + f.len)) {
    if (g.num === 1) name = str(buf, g);
    else if (g.num === 2) // TypeProto.tensor_type(1).shape(2).dim(1).dim_value(1)|dim_param(2)
      for (const t of fields(buf, g.off, g.off + g.len)) if (t.num === 1)
        for (const s of fields(buf, t.off, t.off + t.len)) if (s.num === 2)
          for (const d of fields(buf, s.off, s.off + s.len)) if (d.num === 1) {
            let dim = '?';
            for (const x of fields(buf, d.off, d.off + d.len))
              dim = x.num === 1 ? String(signed(x.v)) : x.num === 2 ? str(buf, x) : dim;
            dims.push(dim);
          }
  }
  return `${name} [${dims.join(',')}]`;
}

function summary(file) {
  const buf = fs.readFileSync(file);
  const out = { opsets: [], ir: 0, inputs: [], outputs: [], ops: new Map(), initializers: 0, nodes: [], initDims: new Map() };
  for (const f of fields(buf)) {
    if (f.num === 1) out.ir = Number(f.v);
    else if (f.num === 8) {
      let dom = '', ver = 0;
      for (const g of fields(buf, f.off, f.off + f.len)) g.num === 1 ? dom = str(buf, g) : ver = Number(g.v);
      out.opsets.push(`${dom || 'ai.onnx'}:${ver}`);
    } else if (f.num === 7) {
      const inits = new Set();
      const ins = [];
      for (const g of fields(buf, f.off, f.off + f.len)) {
        if (g.num === 1) {
          let op = '', attrs = [], nin = [], nout = [];
          for (const h of fields(buf, g.off, g.off + g.len)) {
            if (h.num === 4) op = str(buf, h);
            else if (h.num === 5) attrs.push(attribute(buf, h));
            else if (h.num === 1) nin.push(str(buf, h));
            else if (h.num === 2) nout.push(str(buf, h));
          }
          out.nodes.push({ op, nin, nout, attrs });
          const key = attrs.map(([n, v]) => `${n}=${v}`).sort().join(' ');
          const m = out.ops.get(op) || new Map();
          m.set(key, (m.get(key) || 0) + 1);
          out.ops.set(op, m);
        } else if (g.num === 5) {
          let iname = '', idims = [];
          for (const h of fields(buf, g.off, g.off + g.len)) {
            if (h.num === 8) iname = str(buf, h);
            else if (h.num === 1) idims.push(...readPackedVarints(buf, h));
          }
          inits.add(iname);
          out.initDims.set(iname, idims);
          out.initializers++;
        } else if (g.num === 11) ins.push(g);
        else if (g.num === 12) out.outputs.push(valueInfo(buf, g));
      }
      for (const g of ins) {
        const v = valueInfo(buf, g);
        if (!inits.has(v.split(' ')[0])) out.inputs.push(v);
      }
    }
  }
  return out;
}

const showNodes = process.argv[2] === '--nodes';
for (const file of process.argv.slice(showNodes ? 3 : 2)) {
  const s = summary(file);
  if (showNodes) {
    const nm = (n) => s.initDims.has(n) ? `${n}<init [${s.initDims.get(n).join(',')}]>` : n;
    for (const n of s.nodes)
      console.log(`${n.op}(${n.nin.map(nm).join(', ')}) -> ${n.nout.join(', ')}  ${n.attrs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    continue;
  }
  console.log(`## ${file.split('/').pop()}`);
  console.log(`ir_version ${s.ir}, opsets ${s.opsets.join(' ')}, ${s.initializers} initializers`);
  console.log(`inputs: ${s.inputs.join('; ')}`);
  console.log(`outputs: ${s.outputs.join('; ')}`);
  for (const [op, m] of [...s.ops].sort()) {
    const n = [...m.values()].reduce((a, b) => a + b, 0);
    console.log(`- ${op} x${n}`);
    for (const [k, c] of [...m].sort((a, b) => b[1] - a[1])) console.log(`    ${c} x ${k || '(no attributes)'}`);
  }
  console.log();
}
