;; The README demo for `wasm-run --invoke`: plain computation with no
;; imports, so it runs before WASI exists.
;;   wasm-run --invoke fib examples/demo/demo.wat 30      -> 832040
;;   wasm-run --invoke factorial examples/demo/demo.wat 20 -> 2432902008176640000
;;   wasm-run --invoke checked_div examples/demo/demo.wat 1 0 -> trap, status 134
(module $demo
  (memory (export "memory") 1)
  (data (i32.const 0) "wasmrt")

  (func $fib (export "fib") (param $n i32) (result i64)
    (if (result i64) (i32.lt_u (local.get $n) (i32.const 2))
      (then (i64.extend_i32_u (local.get $n)))
      (else (i64.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  ;; Iterative factorial: a loop with a conditional exit.
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

  ;; Sum of the bytes of the data segment: memory loads in a loop.
  (func $checksum (export "checksum") (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 6)))
        (local.set $sum (i32.add (local.get $sum) (i32.load8_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))

  (func $divide (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "checked_div") (param i32 i32) (result i32)
    (call $divide (local.get 0) (local.get 1))))
