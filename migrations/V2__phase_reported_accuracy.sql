-- The accuracy of the method's own classifier (cnn, or nme for iCaRL-style methods): the figure
-- the run summary averages, which cnn_accuracy/nme_accuracy alone cannot name.
alter table phases add column accuracy double precision;
alter table phases add column classifier text;
