;; Attacks: an active data segment one byte past the end of a 4 GiB memory
;; (offset 0xFFFFFFF1, 16 bytes): offset + length is 2^32 + 1, which a
;; 32-bit check would wrap to 1 and accept.
;; Must happen: instantiation fails with a Trap (MemoryOutOfBounds), and
;; nothing is written.
(module
  (memory (export "memory") 65536)
  (data (i32.const 0xFFFFFFF1) "\00\11\22\33\44\55\66\77\88\99\aa\bb\cc\dd\ee\ff"))
