-- Edition numbers keep counting up when a refund gives a unit back (sold_count goes
-- down again), so a licence's edition is never issued twice.
ALTER TABLE chips ADD COLUMN editions_issued BIGINT NOT NULL DEFAULT 0;
UPDATE chips SET editions_issued = sold_count;
