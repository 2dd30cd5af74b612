;; Attacks: a guest with no `loop` instruction that still runs (practically)
;; forever: $ping and $pong call each other twice per level with a depth
;; counter bounded at 62, so the call stack stays shallow while the number of
;; calls is about 2^62. Only the function-entry checks can stop it.
;; Must happen: DeadlineExceeded under a timeout, Interrupted under
;; InterruptHandle::interrupt(); never CallStackExhausted; the store then runs
;; `answer` normally.
(module
  (func $ping (param $depth i32)
    (if (i32.lt_u (local.get $depth) (i32.const 62))
      (then
        (call $pong (i32.add (local.get $depth) (i32.const 1)))
        (call $pong (i32.add (local.get $depth) (i32.const 1))))))
  (func $pong (param $depth i32)
    (if (i32.lt_u (local.get $depth) (i32.const 62))
      (then
        (call $ping (i32.add (local.get $depth) (i32.const 1)))
        (call $ping (i32.add (local.get $depth) (i32.const 1))))))
  (func (export "run")
    (call $ping (i32.const 0)))
  (func (export "answer") (result i32)
    (i32.const 42)))
