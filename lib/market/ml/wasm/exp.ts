// AssemblyScript (compiled to kernels.wasm by scripts/build-wasm.mjs, not by tsc).
// @ts-nocheck: AssemblyScript types (f64, i32, reinterpret) are not TypeScript's.
//
// e^x with the same bits as V8's Math.exp, so the softmax gradients computed in wasm equal the
// ones JavaScript computed: V8 implements Math.exp with fdlibm's __ieee754_exp (its
// src/base/ieee754.cc), and this is that algorithm, step for step (wasm has no fused multiply-add
// and no excess precision, so every operation rounds as the C code's does). AssemblyScript's own
// Math.exp is musl's, a different algorithm that differs in the last bit for some inputs.
// test/market/ml/kernels.test.ts compares the two on 500,000 inputs (15 million once, by hand).
//
// fdlibm: Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved. Developed at SunSoft,
// a Sun Microsystems, Inc. business. Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice is preserved.

const LN2_HI: f64 = 6.93147180369123816490e-01; // 0x3FE62E42 FEE00000
const LN2_LO: f64 = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
const INV_LN2: f64 = 1.44269504088896338700e+00;
const P1: f64 = 1.66666666666666019037e-01;
const P2: f64 = -2.77777777770155933842e-03;
const P3: f64 = 6.61375632143793436117e-05;
const P4: f64 = -1.65339022054652515390e-06;
const P5: f64 = 4.13813679705723846039e-08;
const O_THRESHOLD: f64 = 7.09782712893383973096e+02;
const U_THRESHOLD: f64 = -7.45133219101941108420e+02;
const HUGE: f64 = 1.0e+300;
const TWO_M1000: f64 = 9.33263618503218878990e-302; // 2^-1000
const TWO_1023: f64 = 8.988465674311579539e307;
const E: f64 = 2.718281828459045;

/** Inlined into the softmax loop (a call per class and row cost about 10%). */
@inline export function expV8(x: f64): f64 {
  const bits = reinterpret<u64>(x);
  let hx = <u32>(bits >> 32);
  const xsb = <i32>(hx >> 31);
  hx &= 0x7FFFFFFF;

  // Non-finite, overflow and underflow arguments.
  if (hx >= 0x40862E42) {
    if (hx >= 0x7FF00000) {
      const lx = <u32>bits;
      if (((hx & 0xFFFFF) | lx) != 0) return x + x; // NaN
      return xsb == 0 ? x : 0.0; // exp(+-inf) = {inf, 0}
    }
    if (x > O_THRESHOLD) return HUGE * HUGE;
    if (x < U_THRESHOLD) return TWO_M1000 * TWO_M1000;
  }

  // Argument reduction: x = k ln2 + r, |r| <= 0.5 ln2, r as hi - lo.
  let hi: f64 = 0.0;
  let lo: f64 = 0.0;
  let k: i32 = 0;
  if (hx > 0x3FD62E42) {
    if (hx < 0x3FF0A2B2) {
      if (x == 1.0) return E; // fdlibm's reduction gets exp(1)'s last bit wrong; V8 special-cases it
      hi = xsb == 0 ? x - LN2_HI : x + LN2_HI;
      lo = xsb == 0 ? LN2_LO : -LN2_LO;
      k = 1 - xsb - xsb;
    } else {
      k = <i32>(INV_LN2 * x + (xsb == 0 ? 0.5 : -0.5)); // truncation toward zero, as C's cast
      const t = <f64>k;
      hi = x - t * LN2_HI; // exact
      lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3E300000) {
    // |x| < 2^-28 (fdlibm also raises "inexact" here, which wasm has no flag for)
    if (HUGE + x > 1.0) return 1.0 + x;
  }

  // exp(r) by a rational approximation, then scaled by 2^k.
  const t = x * x;
  const twopk = reinterpret<f64>(<u64>(<u32>(0x3FF00000 + ((k >= -1021 ? k : k + 1000) << 20))) << 32);
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * TWO_1023;
    return y * twopk;
  }
  return y * twopk * TWO_M1000;
}

/** expV8 as a function of its own, for the test. */
export function exp(x: f64): f64 {
  return expV8(x);
}
