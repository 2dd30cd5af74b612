;; The README demo: a WASI "hello" module. `wasm-run --invoke greet hello.wat`
;; prints the greeting via fd_write.
(module $hello
  ;; fd_write(fd, iovs, iovs_len, nwritten_out) -> errno
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 1)
  ;; One iovec at offset 0: { buf = 16, len = 15 }, the text at offset 16.
  (data (i32.const 0) "\10\00\00\00\0f\00\00\00")
  (data (i32.const 16) "Hello, wasmrt!\n")

  (global $calls (mut i32) (i32.const 0))

  ;; Writes the greeting to stdout and counts the call.
  (func $greet (export "greet") (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (call $fd_write
      (i32.const 1)    ;; stdout
      (i32.const 0)    ;; iovs
      (i32.const 1)    ;; iovs_len
      (i32.const 8)))  ;; where fd_write stores the byte count

  ;; Iterative factorial: a loop with a branch.
  (func $factorial (export "factorial") (param $n i64) (result i64)
    (local $acc i64)
    (local.set $acc (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i64.le_u (local.get $n) (i64.const 1)))
        (local.set $acc (i64.mul (local.get $acc) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $next)))
    (local.get $acc))

  (func $get_calls (export "calls") (result i32) (global.get $calls))

  (func $start (export "_start")
    (drop (call $greet))))
