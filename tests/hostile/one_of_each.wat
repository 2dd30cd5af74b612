;; Attacks: a host that instantiates without end, each instance bringing a
;; memory and a table, against the store's object-count caps.
;; Must happen: once max_instances, max_memories or max_tables is reached,
;; instantiation fails as Unlinkable with Error::limit set to that cap
;; (Instances / Memories / Tables); earlier instances keep working.
(module
  (memory 1)
  (table 1 funcref)
  (func (export "answer") (result i32)
    (i32.const 42)))
