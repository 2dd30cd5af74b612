;; Attacks: a module that declares a table whose minimum size is above the
;; host's max_table_elements.
;; Must happen: instantiation fails as Unlinkable with
;; Error::limit == ResourceLimit::TableElements and the cap named in the
;; message; the elements are never allocated.
(module
  (table (export "table") 200000 funcref))
