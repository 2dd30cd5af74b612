;; A guest that runs practically forever without a single `loop`: $ping and
;; $pong each call the other twice, one level deeper, until depth 40, so the
;; call stack stays shallow (at most 41 frames) while the call tree has
;; about 2^41 calls. Only the interrupt check at function entry stops it.
(module
  (func $ping (param $depth i32)
    (if (i32.lt_u (local.get $depth) (i32.const 40))
      (then
        (call $pong (i32.add (local.get $depth) (i32.const 1)))
        (call $pong (i32.add (local.get $depth) (i32.const 1))))))
  (func $pong (param $depth i32)
    (if (i32.lt_u (local.get $depth) (i32.const 40))
      (then
        (call $ping (i32.add (local.get $depth) (i32.const 1)))
        (call $ping (i32.add (local.get $depth) (i32.const 1))))))
  (func (export "_start")
    (call $ping (i32.const 0))))
