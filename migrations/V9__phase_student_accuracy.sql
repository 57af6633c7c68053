-- FOSTER: top-1 of the compressed single-extractor student the next phase starts from, beside the
-- evaluated two-extractor teacher; null for every other method and for phase 0.
alter table phases add column student_accuracy double precision;
