-- What a phase's exemplar memory holds with a byte budget or compression (CIM): exemplars per class,
-- stored bytes, mean compression rate, mean box and the mask model's training; null otherwise.
-- (V6, not V4: branches developed in parallel may add V4/V5; Flyway accepts the gap.)
alter table phases add column memory_report jsonb;
