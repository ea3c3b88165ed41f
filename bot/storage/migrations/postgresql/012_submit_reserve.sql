-- PostgreSQL twin of ../012_submit_reserve.sql: a shared submit reservation in one round trip.
-- bot/generation/shared_governor.py used to send BEGIN, the lock (with who waits here), a read
-- of the windows, the grant's write and COMMIT: five round trips per submit, the slowest part
-- of a generation on PostgreSQL. This function does the same under the same lock, called as
-- one statement (its own transaction, so the lock ends with it). Each statement in it takes a
-- new snapshot (a VOLATILE function, READ COMMITTED), so everything read after the lock sees
-- every grant and waiting row committed before it.
--
-- In order: the lock; grants this process settled meanwhile (answered: counted from now;
-- unused: gone); who waits here (every member with p_sync_all, whose rows not listed go; else
-- only those listed, and the rows of p_gone go); then, by the server's clock, the earliest
-- moment the windows (p_limits[i] grants per p_windows[i] seconds, the longest last) allow one
-- more grant, whether a grant is still open (may arrive after now), and the first member in
-- the fair order (served least recently by any process, then waiting longest) with the
-- process they wait in. The grant is written only when the windows allow it now and that
-- member waits in this process (or nobody's row is live: then for p_fallback); that member's
-- row here then counts one request fewer.
CREATE FUNCTION submit_reserve(
    p_lock BIGINT,
    p_process TEXT,
    p_answered DOUBLE PRECISION[],
    p_unused DOUBLE PRECISION[],
    p_sync_all BOOLEAN,
    p_gone BIGINT[],
    p_users BIGINT[],
    p_counts INTEGER[],
    p_limits INTEGER[],
    p_windows DOUBLE PRECISION[],
    p_waiting_ttl DOUBLE PRECISION,
    p_hold DOUBLE PRECISION,
    p_fallback BIGINT,
    OUT server_now DOUBLE PRECISION,
    OUT earliest DOUBLE PRECISION,
    OUT open_grant BOOLEAN,
    OUT first_process TEXT,
    OUT grant_user BIGINT,
    OUT grant_key DOUBLE PRECISION
) LANGUAGE plpgsql AS $$
DECLARE
    i INTEGER;
    recent BIGINT;
    nth DOUBLE PRECISION;
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock);
    server_now := extract(epoch FROM clock_timestamp());
    IF cardinality(p_answered) > 0 THEN
        UPDATE submit_grants SET at = server_now WHERE at = ANY(p_answered);
    END IF;
    IF cardinality(p_unused) > 0 THEN
        DELETE FROM submit_grants WHERE at = ANY(p_unused);
    END IF;
    IF p_sync_all THEN
        DELETE FROM submit_waiting WHERE process = p_process AND NOT (user_id = ANY(p_users));
    ELSIF cardinality(p_gone) > 0 THEN
        DELETE FROM submit_waiting WHERE process = p_process AND user_id = ANY(p_gone);
    END IF;
    IF cardinality(p_users) > 0 THEN
        INSERT INTO submit_waiting (process, user_id, waiting, since, seen)
        SELECT p_process, u, n, server_now, server_now FROM unnest(p_users, p_counts) AS t(u, n)
        ON CONFLICT (process, user_id) DO UPDATE
        SET waiting = excluded.waiting, seen = excluded.seen;
    END IF;

    -- A window holding fewer grants than its limit cannot be full: one count over the longest
    -- (which holds every other) spares reading each window's grants.
    SELECT count(*) FILTER (WHERE at > server_now - p_windows[cardinality(p_windows)]),
        coalesce(max(at) > server_now, false)
    INTO recent, open_grant FROM submit_grants;
    earliest := server_now;
    FOR i IN 1 .. cardinality(p_limits) LOOP
        CONTINUE WHEN recent < p_limits[i];
        -- The p_limits[i]-th latest grant in the window, if there are that many.
        SELECT g.at INTO nth FROM submit_grants g WHERE g.at > server_now - p_windows[i]
        ORDER BY g.at DESC OFFSET p_limits[i] - 1 LIMIT 1;
        IF FOUND THEN
            earliest := greatest(earliest, nth + p_windows[i]);
        END IF;
    END LOOP;
    SELECT w.process, w.user_id INTO first_process, grant_user
    FROM submit_waiting w LEFT JOIN submit_served s ON s.user_id = w.user_id
    WHERE w.seen > server_now - p_waiting_ttl
    ORDER BY s.at ASC NULLS FIRST, w.since, w.process, w.user_id LIMIT 1;
    IF earliest > server_now OR first_process <> p_process THEN
        RETURN;  -- no grant: grant_key stays NULL
    END IF;
    grant_user := coalesce(grant_user, p_fallback);
    grant_key := server_now + p_hold;
    -- The grant, in one statement: expired grants go, last grants older than an hour are
    -- forgotten (such a member counts as never served), rows of processes long dead go, the
    -- member's last grant is now, and their row here counts one request fewer (it goes with
    -- the last), as the process records it too: it need not write the row again, nor clean up
    -- after a burst.
    WITH expired AS (
        DELETE FROM submit_grants WHERE at <= server_now - p_windows[cardinality(p_windows)]
    ), forgotten AS (
        DELETE FROM submit_served WHERE at < server_now - 3600
    ), dead AS (
        DELETE FROM submit_waiting WHERE seen < server_now - 10 * p_waiting_ttl
    ), served AS (
        INSERT INTO submit_served (user_id, at) VALUES (grant_user, server_now)
        ON CONFLICT (user_id) DO UPDATE SET at = excluded.at
    ), last_one AS (
        DELETE FROM submit_waiting
        WHERE process = p_process AND user_id = grant_user AND waiting <= 1
    ), one_fewer AS (
        UPDATE submit_waiting SET waiting = waiting - 1
        WHERE process = p_process AND user_id = grant_user AND waiting > 1
    )
    INSERT INTO submit_grants (at) VALUES (grant_key);
END
$$;
