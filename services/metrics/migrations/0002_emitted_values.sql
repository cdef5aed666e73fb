-- The last value the metrics service announced for each computed (indicator, unit, period), with
-- the version of its "computed:..." stream. The computing projection compares against it in the
-- transaction that moves its checkpoint, so a change is announced exactly once; it lives in the
-- service schema, not the projection's, so a rebuild (which swaps the projection's schema) does
-- not forget what was already announced.
CREATE TABLE metrics.emitted_values (
    code       text    NOT NULL,
    unit_id    text    NOT NULL,
    period     text    NOT NULL,
    value      float8,
    reason     text,
    version    integer NOT NULL,
    PRIMARY KEY (code, unit_id, period)
);
