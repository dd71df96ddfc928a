-- The W3C traceparent of the span that enqueued the claim (the closing transaction's), so that the
-- dispatcher's publish continues that trace. Null for claims written before, or while nothing was traced.
ALTER TABLE claims ADD COLUMN traceparent TEXT;
-- The traceparent of the request that reported the case: the close's span links to it.
ALTER TABLE cases ADD COLUMN report_traceparent TEXT;
