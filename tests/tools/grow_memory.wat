;; "grow" grows memory by N pages and returns memory.grow's result (-1 when
;; a cap refuses it).
(module
  (memory 1)
  (func (export "grow") (param $pages i32) (result i32)
    (memory.grow (local.get $pages))))
