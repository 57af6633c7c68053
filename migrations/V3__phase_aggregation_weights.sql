-- AANets' aggregation weights: α per level after each epoch of the phase ([epoch][level]); null
-- for phases of single-network models and for phase 0.
alter table phases add column aggregation_weights jsonb;
