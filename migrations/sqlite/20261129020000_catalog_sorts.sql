-- Catalog sort orders and community lookups. Each sort is total (the id breaks
-- ties), and the cursor compares (sort key, id) as a row, so these indexes serve
-- both the order and the cursor.
CREATE INDEX chips_price_sort_idx ON chips (price_minor, id);
CREATE INDEX chips_sales_sort_idx ON chips (sold_count DESC, id DESC);
CREATE INDEX chips_rating_sort_idx ON chips (
    (CASE WHEN rating_count > 0 THEN rating_sum * 1000 / rating_count ELSE 0 END) DESC, id DESC);

CREATE INDEX collaborations_chip_idx ON collaborations (chip_id);
CREATE INDEX collaborations_created_by_idx ON collaborations (created_by, id);
