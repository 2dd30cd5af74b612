;; Attacks: the smallest infinite loop, `loop br 0`, with no calls inside, so
;; only the loop-header checks can stop it.
;; Must happen: the call traps with DeadlineExceeded under Store::set_timeout,
;; with OutOfFuel under fuel metering, and with Interrupted when another
;; thread calls InterruptHandle::interrupt(); afterwards the same store runs
;; `answer` normally.
(module
  (func (export "spin")
    (loop $forever
      (br $forever)))
  (func (export "answer") (result i32)
    (i32.const 42)))
