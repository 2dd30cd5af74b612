;; Attacks: an active data segment ending exactly at the 4 GiB end of a
;; 65,536-page memory (offset 0xFFFFFFF0, 16 bytes), where any 32-bit
;; arithmetic slip in the bounds check would overflow.
;; Must happen: instantiation succeeds under the default caps and the bytes
;; land in the last 16 bytes of memory (read back through `load_top`).
(module
  (memory (export "memory") 65536)
  (data (i32.const 0xFFFFFFF0) "\00\11\22\33\44\55\66\77\88\99\aa\bb\cc\dd\ee\ff")
  (func (export "load_top") (result i64)
    (i64.load (i32.const 0xFFFFFFF8))))
