;; A module with only a start function that returns: a plain run succeeds.
(module
  (global $ran (mut i32) (i32.const 0))
  (func $start (global.set $ran (i32.const 1)))
  (start $start))
