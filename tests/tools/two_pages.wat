;; A memory whose minimum is 2 pages: refused under --max-memory-pages 1.
(module
  (memory 2)
  (func (export "_start")))
