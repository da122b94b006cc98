;; sin and cos two lanes at a time (f64x2): the source of the bytes in _sincos_wasm.ts.
;; Regenerate them after an edit with `deno run -A workloads/arrays/build_sincos_wasm.ts`.
;;
;; The same algorithm as sincos.ts's scalar `sincos`: Cody–Waite reduction with fdlibm's
;; constants (n = nearest(x·2/π) and two steps, 33 + 33 + 53 bits of π/2, exact products while
;; |n| < 2^19) and FreeBSD's minimax kernels on [−π/4, π/4], in the same operation order (no
;; fused multiply-add), so a lane gives the bits of the scalar code's two-step path. A lane the
;; vector path cannot handle — |x| ≥ 8e5, not finite, or so close to a multiple of π/2 that fdlibm
;; takes a third step — sets the result flag, and the caller redoes the chunk in scalar code.
;;
;; Memory (2 pages, owned by the caller's chunk loop): input at 0 (up to 4096 int32 or f64),
;; first output at 32768, second output at 65536 (up to 4096 f64 each). Lengths are rounded up
;; to whole pairs: the caller pads an odd input with a harmless value.
(module
  (memory (export "memory") 2)

  ;; The reduced argument's sin and cos kernels (quadrant not applied), n = nearest(x·2/π), and a
  ;; lane mask of arguments needing the scalar path.
  (func $kernels (param $x v128) (result v128 v128 v128 v128)
    (local $ax v128) (local $n v128) (local $t v128) (local $r v128) (local $w v128)
    (local $y0 v128) (local $y1 v128) (local $z v128) (local $w2 v128) (local $v v128)
    (local $rs v128) (local $rc v128) (local $hz v128) (local $wc v128)
    (local.set $ax (f64x2.abs (local.get $x)))
    (local.set $n (f64x2.nearest (f64x2.mul (local.get $x)
      (v128.const f64x2 6.36619772367581382433e-01 6.36619772367581382433e-01)))) ;; 2/π
    ;; t = x − n·PIO2_1 is exact (PIO2_1: the first 33 bits of π/2)
    (local.set $t (f64x2.sub (local.get $x) (f64x2.mul (local.get $n)
      (v128.const f64x2 1.57079632673412561417e+00 1.57079632673412561417e+00))))
    ;; second step: r = t − n·PIO2_2 (the next 33 bits), w its rounding error minus n·PIO2_2T
    (local.set $w (f64x2.mul (local.get $n)
      (v128.const f64x2 6.07710050630396597660e-11 6.07710050630396597660e-11)))
    (local.set $r (f64x2.sub (local.get $t) (local.get $w)))
    (local.set $w (f64x2.sub
      (f64x2.mul (local.get $n)
        (v128.const f64x2 2.02226624879595063154e-21 2.02226624879595063154e-21))
      (f64x2.sub (f64x2.sub (local.get $t) (local.get $r)) (local.get $w))))
    (local.set $y0 (f64x2.sub (local.get $r) (local.get $w)))
    (local.set $y1 (f64x2.sub (f64x2.sub (local.get $r) (local.get $y0)) (local.get $w)))
    ;; k_sin: rs = S2 + z(S3 + zS4) + z·z²(S5 + zS6); y0 − ((z(y1/2 − v·rs) − y1) − v·S1)
    (local.set $z (f64x2.mul (local.get $y0) (local.get $y0)))
    (local.set $w2 (f64x2.mul (local.get $z) (local.get $z)))
    (local.set $rs (f64x2.add
      (f64x2.add
        (v128.const f64x2 8.33333333332248946124e-03 8.33333333332248946124e-03) ;; S2
        (f64x2.mul (local.get $z) (f64x2.add
          (v128.const f64x2 -1.98412698298579493134e-04 -1.98412698298579493134e-04) ;; S3
          (f64x2.mul (local.get $z)
            (v128.const f64x2 2.75573137070700676789e-06 2.75573137070700676789e-06))))) ;; S4
      (f64x2.mul (f64x2.mul (local.get $z) (local.get $w2)) (f64x2.add
        (v128.const f64x2 -2.50507602534068634195e-08 -2.50507602534068634195e-08) ;; S5
        (f64x2.mul (local.get $z)
          (v128.const f64x2 1.58969099521155010221e-10 1.58969099521155010221e-10)))))) ;; S6
    (local.set $v (f64x2.mul (local.get $z) (local.get $y0)))
    (f64x2.sub (local.get $y0) (f64x2.sub
      (f64x2.sub
        (f64x2.mul (local.get $z) (f64x2.sub
          (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $y1))
          (f64x2.mul (local.get $v) (local.get $rs))))
        (local.get $y1))
      (f64x2.mul (local.get $v)
        (v128.const f64x2 -1.66666666666666324348e-01 -1.66666666666666324348e-01)))) ;; S1
    ;; k_cos: rc = z(C1 + z(C2 + zC3)) + z⁴(C4 + z(C5 + zC6)); w + (((1 − w) − z/2) + (z·rc − y0·y1))
    (local.set $rc (f64x2.add
      (f64x2.mul (local.get $z) (f64x2.add
        (v128.const f64x2 4.16666666666666019037e-02 4.16666666666666019037e-02) ;; C1
        (f64x2.mul (local.get $z) (f64x2.add
          (v128.const f64x2 -1.38888888888741095749e-03 -1.38888888888741095749e-03) ;; C2
          (f64x2.mul (local.get $z)
            (v128.const f64x2 2.48015872894767294178e-05 2.48015872894767294178e-05)))))) ;; C3
      (f64x2.mul (f64x2.mul (local.get $w2) (local.get $w2)) (f64x2.add
        (v128.const f64x2 -2.75573143513906633035e-07 -2.75573143513906633035e-07) ;; C4
        (f64x2.mul (local.get $z) (f64x2.add
          (v128.const f64x2 2.08757232129817482790e-09 2.08757232129817482790e-09) ;; C5
          (f64x2.mul (local.get $z)
            (v128.const f64x2 -1.13596475577881948265e-11 -1.13596475577881948265e-11)))))))) ;; C6
    (local.set $hz (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $z)))
    (local.set $wc (f64x2.sub (v128.const f64x2 1 1) (local.get $hz)))
    (f64x2.add (local.get $wc) (f64x2.add
      (f64x2.sub (f64x2.sub (v128.const f64x2 1 1) (local.get $wc)) (local.get $hz))
      (f64x2.sub
        (f64x2.mul (local.get $z) (local.get $rc))
        (f64x2.mul (local.get $y0) (local.get $y1)))))
    (local.get $n)
    ;; scalar path: not |x| < 8e5 (also NaN), or |y0| < |x|·2^−49 (fdlibm's third step)
    (v128.or
      (v128.not (f64x2.lt (local.get $ax) (v128.const f64x2 8e5 8e5)))
      (f64x2.lt (f64x2.abs (local.get $y0)) (f64x2.mul (local.get $ax)
        (v128.const f64x2 1.7763568394002505e-15 1.7763568394002505e-15)))))

  ;; sin(x)² + cos(x)² of `len` int32 at 0, into f64 at 32768. The squares and their sum do not
  ;; depend on the quadrant's swap and signs, so these are not applied. Returns 1 if some lane
  ;; needs the scalar path (its result here is then not to be used), else 0.
  (func (export "sin2cos2") (param $len i32) (result i32)
    (local $i i32) (local $end i32) (local $bad v128) (local $ks v128) (local $kc v128)
    (local $n v128) (local $b v128)
    (local.set $end (i32.shl (local.get $len) (i32.const 2)))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (call $kernels (f64x2.convert_low_i32x4_s (v128.load64_zero (local.get $i))))
        (local.set $b)
        (local.set $n)
        (local.set $kc)
        (local.set $ks)
        (v128.store offset=32768 (i32.shl (local.get $i) (i32.const 1)) (f64x2.add
          (f64x2.mul (local.get $ks) (local.get $ks))
          (f64x2.mul (local.get $kc) (local.get $kc))))
        (local.set $bad (v128.or (local.get $bad) (local.get $b)))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $pair)))
    (v128.any_true (local.get $bad)))

  ;; sin and cos of `len` f64 at 0, into 32768 (sin) and 65536 (cos), quadrant applied:
  ;; q = n mod 4 maps the kernels (s, c) to (s, c), (c, −s), (−s, −c), (−c, s). Returns as
  ;; sin2cos2 does.
  (func (export "sincos") (param $len i32) (result i32)
    (local $i i32) (local $end i32) (local $bad v128) (local $ks v128) (local $kc v128)
    (local $n v128) (local $b v128) (local $q v128) (local $odd v128) (local $sign v128)
    (local.set $end (i32.shl (local.get $len) (i32.const 3)))
    (local.set $sign (v128.const i64x2 0x8000000000000000 0x8000000000000000))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (call $kernels (v128.load (local.get $i)))
        (local.set $b)
        (local.set $n)
        (local.set $kc)
        (local.set $ks)
        ;; q = n − 4·floor(n/4), exact, in {0, 1, 2, 3} also for negative n
        (local.set $q (f64x2.sub (local.get $n) (f64x2.mul (v128.const f64x2 4 4)
          (f64x2.floor (f64x2.mul (local.get $n) (v128.const f64x2 0.25 0.25))))))
        (local.set $odd (v128.or
          (f64x2.eq (local.get $q) (v128.const f64x2 1 1))
          (f64x2.eq (local.get $q) (v128.const f64x2 3 3))))
        ;; sin: kc if q is odd else ks, negated for q ≥ 2
        (v128.store offset=32768 (local.get $i) (v128.xor
          (v128.bitselect (local.get $kc) (local.get $ks) (local.get $odd))
          (v128.and (local.get $sign) (f64x2.ge (local.get $q) (v128.const f64x2 2 2)))))
        ;; cos: ks if q is odd else kc, negated for q = 1 or 2
        (v128.store offset=65536 (local.get $i) (v128.xor
          (v128.bitselect (local.get $ks) (local.get $kc) (local.get $odd))
          (v128.and (local.get $sign) (v128.or
            (f64x2.eq (local.get $q) (v128.const f64x2 1 1))
            (f64x2.eq (local.get $q) (v128.const f64x2 2 2))))))
        (local.set $bad (v128.or (local.get $bad) (local.get $b)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $pair)))
    (v128.any_true (local.get $bad)))
)
