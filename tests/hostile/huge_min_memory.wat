;; Attacks: a module that declares a 65,536-page (4 GiB) minimum memory,
;; instantiated under a host cap of 256 pages.
;; Must happen: instantiation fails as Unlinkable with
;; Error::limit == ResourceLimit::MemoryPages and a message naming the cap
;; (max_memory_pages); no memory is reserved for the guest.
(module
  (memory (export "memory") 65536))
