;; Attacks: host functions handed guest pointers that are out of range:
;; straddling the end of memory by one byte, far past it, ptr + len
;; overflowing 32 bits (0xFFFFFFF0 + 0x20 wraps to 0x10 in 32-bit
;; arithmetic) and ptr + size overflowing 64 bits (0xFFFFFFFFFFFFFFFC + 8).
;; Must happen: HostContext::read/write/load/store return false and copy
;; nothing; the host then traps with its own message (TrapKind::HostError),
;; memory is unchanged, and in-range calls still work.
(module
  (import "env" "sum_bytes" (func $sum_bytes (param i32 i32) (result i32)))
  (import "env" "fill" (func $fill (param i32 i32 i32)))
  (import "env" "peek64" (func $peek64 (param i64) (result i64)))
  (import "env" "poke64" (func $poke64 (param i64 i64)))
  (memory (export "memory") 1)
  (func (export "sum_bytes") (param $ptr i32) (param $len i32) (result i32)
    (call $sum_bytes (local.get $ptr) (local.get $len)))
  (func (export "fill") (param $ptr i32) (param $len i32) (param $byte i32)
    (call $fill (local.get $ptr) (local.get $len) (local.get $byte)))
  (func (export "peek64") (param $ptr i64) (result i64)
    (call $peek64 (local.get $ptr)))
  (func (export "poke64") (param $ptr i64) (param $value i64)
    (call $poke64 (local.get $ptr) (local.get $value))))
