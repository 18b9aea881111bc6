-- Webhook updates received by any replica. The primary key takes a
-- redelivered update once; done_at is set once it was handled.
CREATE TABLE inbox (
    update_id   bigint PRIMARY KEY,
    chat_id     bigint NOT NULL,
    payload     jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    done_at     timestamptz
);
CREATE INDEX inbox_pending ON inbox (update_id) WHERE done_at IS NULL;
CREATE INDEX inbox_chat_pending ON inbox (chat_id, update_id) WHERE done_at IS NULL;

-- Which replica handles a chat now: one at a time, until its lease ends
-- (renewed while it works; a dead replica's lease runs out).
CREATE TABLE chat_claims (
    chat_id     bigint PRIMARY KEY,
    owner       text NOT NULL,
    lease_until timestamptz NOT NULL
);

-- Send pacing shared by every replica: each lane (a chat, and "global")
-- has the earliest time its next message may go (a reservation
-- schedule), and a hold set by a 429's retry_after.
CREATE TABLE pace_lanes (
    key        text PRIMARY KEY,
    next_at    timestamptz NOT NULL,
    hold_until timestamptz NOT NULL DEFAULT '-infinity'
);
