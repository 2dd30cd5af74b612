;; A table whose minimum (2,000,000 elements) passes wasm-run's fixed cap
;; of 1,000,000 table elements.
(module
  (table 2000000 funcref)
  (func (export "_start")))
