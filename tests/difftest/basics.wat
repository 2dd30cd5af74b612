;; Sanity input for wasm-difftest (not a regression): each export exercises
;; one thing the driver compares, so the ctest fails if the driver stops
;; seeing it or the tiers stop agreeing on it.
(module
  (memory (export "memory") 1 4)
  (global $g (export "g") (mut i64) (i64.const 0))
  (table (export "t") 4 funcref)
  (elem (i32.const 1) $div)
  ;; NaN results: payloads may differ between tiers, the driver must not care.
  (func (export "nan32") (param f32 f32) (result f32) (f32.div (local.get 0) (local.get 1)))
  (func (export "nan64") (param f64) (result f64) (f64.sqrt (local.get 0)))
  (func (export "nanv") (param v128) (result v128) (f32x4.sqrt (local.get 0)))
  ;; Traps: kinds must agree.
  (func $div (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "indirect") (param i32) (result i32)
    (call_indirect (param i32 i32) (result i32) (i32.const 7) (i32.const 0) (local.get 0)))
  ;; State: memory, globals and growth after each call.
  (func (export "store") (param i32 i64)
    (i64.store (i32.and (local.get 0) (i32.const 0xfff8)) (local.get 1))
    (global.set $g (i64.add (global.get $g) (local.get 1))))
  (func (export "grow") (param i32) (result i32) (memory.grow (i32.and (local.get 0) (i32.const 7))))
  ;; Fuel: a long loop runs out of fuel on the metered engines, at the same
  ;; point on each (the driver's default budget is 1,000,000).
  (func (export "spin") (result i32) (local i32)
    (loop $l
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 0) (i32.const 3000000))))
    (local.get 0))
  ;; Deep recursion: stack exhaustion must agree.
  (func $rec (export "rec") (param i32) (result i32)
    (i32.add (call $rec (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
)
