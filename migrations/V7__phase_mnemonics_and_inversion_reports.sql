-- What a phase's mnemonics stage did (steps, outer loss before/after, mean change) and what the model
-- inversion after it did (ABD, DeepInversion); null for phases without them.
alter table phases add column mnemonics_report jsonb;
alter table phases add column inversion_report jsonb;
