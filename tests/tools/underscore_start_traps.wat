;; A plain run calls _start, which traps in $inner.
(module
  (func $inner unreachable)
  (func (export "_start") (call $inner)))
