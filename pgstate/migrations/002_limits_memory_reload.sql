-- Token buckets shared by every replica: per-user question limits and
-- send pacing. tokens is the balance at "at".
CREATE TABLE rate_buckets (
    key    text PRIMARY KEY,
    tokens double precision NOT NULL,
    at     timestamptz NOT NULL
);

-- Per-chat conversation memory (answer turns, the last answer behind
-- /sources), JSON with an expiry; expired rows are ignored, then swept.
CREATE TABLE memory (
    kind       text NOT NULL,
    key        text NOT NULL,
    data       jsonb NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX memory_expires_at ON memory (expires_at);

-- The index version last announced (a replica that missed the NOTIFY
-- finds it here when it reconnects).
CREATE TABLE index_version (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    version    text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);
