;; A WASI reactor: `_initialize` (called by instantiation) sets the state
;; the exports read, so `--invoke get` prints 42 only if it ran first.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (global $ready (mut i32) (i32.const 0))
  (memory (export "memory") 1)
  (func (export "_initialize") (global.set $ready (i32.const 42)))
  (func (export "get") (result i32) (global.get $ready))
  (func (export "add") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "quit") (param i32) (call $proc_exit (local.get 0))))
