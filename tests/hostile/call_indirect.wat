;; Attacks: call_indirect through a table whose entries have the wrong
;; signature, are null, or lie past the table's end (including indices that
;; would wrap if treated as signed or truncated).
;; Must happen: IndirectCallTypeMismatch for the wrong signature,
;; UninitializedElement for a null entry, UndefinedElement past the end;
;; a matching entry still calls normally afterwards.
(module
  (type $i32_to_i32 (func (param i32) (result i32)))
  (type $void (func))
  (type $i64_to_i64 (func (param i64) (result i64)))
  (func $double (type $i32_to_i32) (i32.mul (local.get 0) (i32.const 2)))
  (func $nothing (type $void))
  (func $wide (type $i64_to_i64) (local.get 0))
  ;; Slot 3 is null; the table has 5 slots.
  (table $t 5 funcref)
  (elem (table $t) (i32.const 0) func $double $nothing $wide)
  (elem (table $t) (i32.const 4) func $double)
  ;; Calls slot `index` as (i32) -> i32.
  (func (export "call_as_i32") (param $index i32) (param $arg i32) (result i32)
    (call_indirect $t (type $i32_to_i32) (local.get $arg) (local.get $index))))
