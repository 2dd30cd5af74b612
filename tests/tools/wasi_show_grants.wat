;; A WASI command that prints what wasm-run's command line gave it, one line
;; each, so tests can check the parsing: "arg: X" for argv[1..] (argv[0] is
;; FILE, a build path), then "env: NAME=VALUE" for each environment entry,
;; then "dir: GUEST" for each preopened directory (fd 3 up).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  ;; 0: iovec, 8: nwritten, 16: count, 20: buffer size, 24: prestat,
  ;; 64: the prefixes, 1024: pointer arrays, 65536: string buffers.
  (memory (export "memory") 4)
  (data (i32.const 64) "arg: env: dir: \n")

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $strlen (param $ptr i32) (result i32)
    (local $end i32)
    (local.set $end (local.get $ptr))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (local.get $end))))
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $end) (local.get $ptr)))

  ;; prefix (5 bytes at $prefix), the string, a newline.
  (func $line (param $prefix i32) (param $ptr i32) (param $len i32)
    (call $write (local.get $prefix) (i32.const 5))
    (call $write (local.get $ptr) (local.get $len))
    (call $write (i32.const 79) (i32.const 1)))

  ;; Prints entries [$first, count) of the NUL-terminated strings whose
  ;; pointers are at $array.
  (func $lines (param $prefix i32) (param $array i32) (param $first i32)
    (local $i i32)
    (local $ptr i32)
    (local.set $i (local.get $first))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 16))))
        (local.set $ptr (i32.load (i32.add (local.get $array) (i32.shl (local.get $i) (i32.const 2)))))
        (call $line (local.get $prefix) (local.get $ptr) (call $strlen (local.get $ptr)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  (func (export "_start")
    (local $fd i32)
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    (drop (call $args_get (i32.const 1024) (i32.const 65536)))
    (call $lines (i32.const 64) (i32.const 1024) (i32.const 1))
    (drop (call $environ_sizes_get (i32.const 16) (i32.const 20)))
    (drop (call $environ_get (i32.const 1024) (i32.const 65536)))
    (call $lines (i32.const 69) (i32.const 1024) (i32.const 0))
    (local.set $fd (i32.const 3))
    (block $done
      (loop $next
        (br_if $done (i32.ne (call $fd_prestat_get (local.get $fd) (i32.const 24)) (i32.const 0)))
        (drop (call $fd_prestat_dir_name (local.get $fd) (i32.const 65536) (i32.load (i32.const 28))))
        (call $line (i32.const 74) (i32.const 65536) (i32.load (i32.const 28)))
        (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
        (br $next)))))
