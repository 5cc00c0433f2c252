/*
 * schema.c — the store's migrations (see schema.h). Every script is written in the SQL that
 * SQLite and PostgreSQL both accept: TEXT, BIGINT and INTEGER columns only (flags are INTEGER
 * 0/1, times BIGINT microseconds since the epoch as in timefmt.h), no AUTOINCREMENT or SERIAL
 * (the application assigns every id), and NOT NULL spelled out on primary keys because SQLite
 * would otherwise accept a NULL key.
 *
 * Rows the schema seeds carry created_at 0: they exist from the store's creation on.
 */
#include "schema.h"

/* Migration 1: identities (sectors, organisations, users) and the hash-chained audit log. */
static const char migration_1[] =
        /* 重要電子計算機 sectors and the ministry (所管省庁) answering for each. */
        "CREATE TABLE sectors ("
        " id TEXT NOT NULL PRIMARY KEY,"
        " name_ja TEXT NOT NULL,"
        " name_en TEXT NOT NULL,"
        " ministry TEXT NOT NULL);\n"
        "CREATE TABLE orgs ("
        " id TEXT NOT NULL PRIMARY KEY,"
        " kind TEXT NOT NULL CHECK (kind IN ('operator', 'ministry', 'nco', 'commission',"
        "  'vendor', 'council', 'foreign-partner', 'measures-agency', 'admin')),"
        " name TEXT NOT NULL,"
        " sector TEXT NULL REFERENCES sectors (id),"
        " created_at BIGINT NOT NULL);\n"
        "CREATE TABLE users ("
        " id TEXT NOT NULL PRIMARY KEY,"
        " org TEXT NOT NULL REFERENCES orgs (id),"
        " role TEXT NOT NULL,"
        " name TEXT NOT NULL,"
        " token_hash TEXT NOT NULL UNIQUE,"
        " clearance TEXT NULL,"
        " handler INTEGER NOT NULL DEFAULT 0 CHECK (handler IN (0, 1)),"
        " anonymous_reader INTEGER NOT NULL DEFAULT 0 CHECK (anonymous_reader IN (0, 1)),"
        " consent_at BIGINT NULL,"
        " created_at BIGINT NOT NULL,"
        " disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)));\n"
        "CREATE INDEX users_org ON users (org);\n"
        /* Each entry's hash covers prev_hash, so an edit anywhere breaks every later link;
         * audit_heads holds chain heads signed by the server's key. */
        "CREATE TABLE audit_log ("
        " seq BIGINT NOT NULL PRIMARY KEY,"
        " at BIGINT NOT NULL,"
        " actor TEXT NOT NULL,"
        " role TEXT NOT NULL,"
        " action TEXT NOT NULL,"
        " object TEXT NULL,"
        " purpose TEXT NULL,"
        " detail TEXT NULL,"
        " prev_hash TEXT NOT NULL,"
        " hash TEXT NOT NULL);\n"
        "CREATE TABLE audit_heads ("
        " seq BIGINT NOT NULL PRIMARY KEY,"
        " hash TEXT NOT NULL,"
        " sig TEXT NOT NULL,"
        " at BIGINT NOT NULL);\n"
        /* Named sequences (report numbers R1, R2 ...), advanced inside write transactions. */
        "CREATE TABLE counters ("
        " name TEXT NOT NULL PRIMARY KEY,"
        " value BIGINT NOT NULL);\n"
        "CREATE TABLE settings ("
        " key TEXT NOT NULL PRIMARY KEY,"
        " value TEXT NOT NULL);\n"
        "INSERT INTO sectors (id, name_ja, name_en, ministry) VALUES"
        " ('ict', '情報通信', 'Information and communications', 'mic'),"
        " ('finance', '金融', 'Finance', 'fsa'),"
        " ('aviation', '航空', 'Aviation', 'mlit'),"
        " ('airports', '空港', 'Airports', 'mlit'),"
        " ('railway', '鉄道', 'Railway', 'mlit'),"
        " ('electricity', '電力', 'Electricity', 'meti'),"
        " ('gas', 'ガス', 'Gas', 'meti'),"
        " ('government', '政府・行政サービス', 'Government and administrative services', 'mic'),"
        " ('medical', '医療', 'Medical', 'mhlw'),"
        " ('water', '水道', 'Water', 'mlit'),"
        " ('logistics', '物流', 'Logistics', 'mlit'),"
        " ('chemicals', '化学', 'Chemicals', 'meti'),"
        " ('credit', 'クレジット', 'Credit cards', 'meti'),"
        " ('petroleum', '石油', 'Petroleum', 'meti'),"
        " ('ports', '港湾', 'Ports', 'mlit');\n"
        "INSERT INTO orgs (id, kind, name, sector, created_at) VALUES"
        " ('mic', 'ministry', '総務省 Ministry of Internal Affairs and Communications', NULL, 0),"
        " ('fsa', 'ministry', '金融庁 Financial Services Agency', NULL, 0),"
        " ('mlit', 'ministry', '国土交通省 Ministry of Land, Infrastructure, Transport and"
        " Tourism', NULL, 0),"
        " ('meti', 'ministry', '経済産業省 Ministry of Economy, Trade and Industry', NULL, 0),"
        " ('mhlw', 'ministry', '厚生労働省 Ministry of Health, Labour and Welfare', NULL, 0),"
        " ('nco', 'nco', '国家サイバー統括室 National Cybersecurity Office', NULL, 0),"
        " ('commission', 'commission', 'サイバー通信情報監理委員会 Cyber Communications"
        " Information Oversight Commission', NULL, 0);\n";

/* Migration 2: the single window — incident reports (報告) with their numbered follow-ups
 * and sharing-scope changes; the audit chain's lock row (audit.h). */
static const char migration_2[] =
        "INSERT INTO counters (name, value) VALUES ('audit', 0);\n"
        "CREATE TABLE reports ("
        " id TEXT NOT NULL PRIMARY KEY,"
        " num BIGINT NOT NULL UNIQUE,"
        " operator TEXT NOT NULL REFERENCES orgs (id),"
        " sector TEXT NOT NULL REFERENCES sectors (id),"
        " filed_by TEXT NOT NULL REFERENCES users (id),"
        " filed_by_org TEXT NOT NULL REFERENCES orgs (id),"
        " tlp TEXT NOT NULL,"
        " urgency TEXT NOT NULL,"
        " event_type TEXT NOT NULL,"
        " anonymous INTEGER NOT NULL CHECK (anonymous IN (0, 1)),"
        " next_steps TEXT NULL,"
        " discovered_at BIGINT NULL,"
        " created_at BIGINT NOT NULL,"
        " last_at BIGINT NOT NULL,"
        " reports INTEGER NOT NULL,"
        /* The current state: the first report with every follow-up merged in (JSON). */
        " doc TEXT NOT NULL);\n"
        "CREATE INDEX reports_sector ON reports (sector, num);\n"
        "CREATE INDEX reports_operator ON reports (operator, num);\n"
        /* Each report as filed (第N報), exactly as the reporter sent it. */
        "CREATE TABLE report_versions ("
        " report TEXT NOT NULL REFERENCES reports (id),"
        " n INTEGER NOT NULL,"
        " at BIGINT NOT NULL,"
        " by_user TEXT NOT NULL REFERENCES users (id),"
        " body TEXT NOT NULL,"
        " PRIMARY KEY (report, n));\n"
        "CREATE TABLE report_scope_changes ("
        " report TEXT NOT NULL REFERENCES reports (id),"
        " at BIGINT NOT NULL,"
        " by_user TEXT NOT NULL REFERENCES users (id),"
        " from_tlp TEXT NOT NULL,"
        " to_tlp TEXT NOT NULL,"
        " consent INTEGER NOT NULL CHECK (consent IN (0, 1)),"
        " reason TEXT NULL);\n"
        "CREATE INDEX report_scope_changes_report ON report_scope_changes (report);\n";

/* Migration 3: notifications of specific critical computers (特定重要電子計算機の届出) with
 * every version kept, and agreements with operators (当事者協定) with their prefixes and the
 * party's consents to other-purpose use (他目的利用). Nothing is ever deleted: a change adds a
 * version, retirement and withdrawal set a time and who. */
static const char migration_3[] =
        "CREATE TABLE notifications ("
        " id TEXT NOT NULL PRIMARY KEY,"
        " num BIGINT NOT NULL UNIQUE,"
        " operator TEXT NOT NULL REFERENCES orgs (id),"
        " sector TEXT NOT NULL REFERENCES sectors (id),"
        " filed_by TEXT NOT NULL REFERENCES users (id),"
        " filed_by_org TEXT NOT NULL REFERENCES orgs (id),"
        " category TEXT NOT NULL,"
        " custom_design INTEGER NOT NULL CHECK (custom_design IN (0, 1)),"
        " introduced_at BIGINT NOT NULL,"
        /* The first filing: what the duty's deadlines are measured against. */
        " filed_at BIGINT NOT NULL,"
        " updated_at BIGINT NOT NULL,"
        " versions INTEGER NOT NULL,"
        " retired_at BIGINT NULL,"
        " retired_by TEXT NULL REFERENCES users (id),"
        " retire_reason TEXT NULL,"
        /* The current state as JSON (the fields of the latest version). */
        " doc TEXT NOT NULL);\n"
        "CREATE INDEX notifications_operator ON notifications (operator, num);\n"
        "CREATE INDEX notifications_sector ON notifications (sector, num);\n"
        /* Each version as it stood after the change: 'filed', 'changed' or 'retired'. */
        "CREATE TABLE notification_versions ("
        " notification TEXT NOT NULL REFERENCES notifications (id),"
        " n INTEGER NOT NULL,"
        " kind TEXT NOT NULL CHECK (kind IN ('filed', 'changed', 'retired')),"
        " at BIGINT NOT NULL,"
        " by_user TEXT NOT NULL REFERENCES users (id),"
        " doc TEXT NOT NULL,"
        " reason TEXT NULL,"
        " PRIMARY KEY (notification, n));\n"
        "CREATE TABLE agreements ("
        " id TEXT NOT NULL PRIMARY KEY,"
        " num BIGINT NOT NULL UNIQUE,"
        " operator TEXT NOT NULL REFERENCES orgs (id),"
        " valid_from BIGINT NOT NULL,"
        " valid_until BIGINT NOT NULL,"
        " signed_by TEXT NULL,"
        " filed_by TEXT NOT NULL REFERENCES users (id),"
        " created_at BIGINT NOT NULL,"
        " withdrawn_at BIGINT NULL,"
        " withdrawn_by TEXT NULL REFERENCES users (id),"
        " withdraw_reason TEXT NULL,"
        " CHECK (valid_from < valid_until));\n"
        "CREATE INDEX agreements_operator ON agreements (operator, num);\n"
        /* Prefixes in canonical form ("133.5.0.0/16"), checked in C (ip_net) when matched. */
        "CREATE TABLE agreement_prefixes ("
        " agreement TEXT NOT NULL REFERENCES agreements (id),"
        " prefix TEXT NOT NULL,"
        " PRIMARY KEY (agreement, prefix));\n"
        "CREATE TABLE agreement_consents ("
        " id TEXT NOT NULL PRIMARY KEY,"
        " num BIGINT NOT NULL UNIQUE,"
        " agreement TEXT NOT NULL REFERENCES agreements (id),"
        " purpose TEXT NOT NULL,"
        " scope TEXT NOT NULL,"
        " recipient TEXT NOT NULL,"
        " valid_until BIGINT NOT NULL,"
        " given_by TEXT NOT NULL REFERENCES users (id),"
        " created_at BIGINT NOT NULL,"
        " withdrawn_at BIGINT NULL,"
        " withdrawn_by TEXT NULL REFERENCES users (id),"
        " withdraw_reason TEXT NULL);\n"
        "CREATE INDEX agreement_consents_agreement ON agreement_consents (agreement, num);\n";

/* Migration 4: the commission's approvals (承認) of acquisition measures, from request to
 * revocation with every step in approval_events, and the registered sensors. */
static const char migration_4[] =
        "CREATE TABLE approvals ("
        " id TEXT NOT NULL PRIMARY KEY,"
        " kind TEXT NOT NULL CHECK (kind IN ('foreign-foreign', 'foreign-domestic', 'agreement')),"
        " facility TEXT NOT NULL,"
        " selectors TEXT NOT NULL," /* JSON array, Contract 2 */
        " justification TEXT NOT NULL,"
        " valid_from BIGINT NOT NULL,"
        " valid_until BIGINT NOT NULL,"
        " agreement_party TEXT NULL," /* JSON object, agreement kind only */
        " state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'rejected', 'revise',"
        "  'revoked')),"
        " requested_by TEXT NOT NULL REFERENCES users (id),"
        " requested_at BIGINT NOT NULL,"
        " decided_by TEXT NULL REFERENCES users (id),"
        " decided_at BIGINT NULL,"
        " document TEXT NULL," /* the exact signed bytes */
        " sig TEXT NULL,"
        " signer TEXT NULL CHECK (signer IN ('commission', 'office')),"
        " revoked_at BIGINT NULL,"
        " revocation TEXT NULL," /* the exact signed REVOKE bytes */
        " revocation_sig TEXT NULL);\n"
        "CREATE INDEX approvals_state ON approvals (state, id);\n"
        "CREATE TABLE approval_events ("
        " approval TEXT NOT NULL REFERENCES approvals (id),"
        " n INTEGER NOT NULL,"
        " at BIGINT NOT NULL,"
        " by_user TEXT NOT NULL REFERENCES users (id),"
        " role TEXT NOT NULL,"
        " action TEXT NOT NULL,"
        " reason TEXT NULL,"
        " PRIMARY KEY (approval, n));\n"
        "CREATE TABLE sensors ("
        " id TEXT NOT NULL PRIMARY KEY,"
        " facility TEXT NOT NULL,"
        " public_key TEXT NOT NULL,"
        " created_at BIGINT NOT NULL,"
        " created_by TEXT NOT NULL,"
        " disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)));\n";
/* Migration 5: ingest of selected records (選別後通信情報) from sensors — each signed batch once
 * (exactly-once storage under at-least-once delivery), the records with their label, and the
 * sensors' statistics that the commission inspects. */
static const char migration_5[] =
        "CREATE TABLE ingest_batches ("
        " id TEXT NOT NULL PRIMARY KEY,"
        " sensor TEXT NOT NULL REFERENCES sensors (id),"
        " received_at BIGINT NOT NULL,"
        " records INTEGER NOT NULL,"
        " stats INTEGER NOT NULL);\n"
        "CREATE TABLE records ("
        " seq BIGINT NOT NULL PRIMARY KEY," /* arrival order: the read API's cursor */
        " id TEXT NOT NULL,"
        " approval TEXT NOT NULL REFERENCES approvals (id),"
        " sensor TEXT NOT NULL,"
        " batch TEXT NOT NULL,"
        " first_at BIGINT NOT NULL,"
        " last_at BIGINT NOT NULL,"
        " direction TEXT NOT NULL,"
        " proto INTEGER NOT NULL,"
        " src TEXT NOT NULL,"
        " dst TEXT NOT NULL,"
        " packets BIGINT NOT NULL,"
        " bytes BIGINT NOT NULL,"
        " label TEXT NOT NULL," /* provenance: selected communications information */
        " stored_at BIGINT NOT NULL,"
        " doc TEXT NOT NULL," /* the Contract 4 record as the sensor sent it */
        " UNIQUE (id, approval));\n"
        "CREATE INDEX records_approval ON records (approval, seq);\n"
        "CREATE INDEX records_stored ON records (stored_at);\n"
        "CREATE TABLE sensor_stats ("
        " batch TEXT NOT NULL,"
        " n INTEGER NOT NULL,"
        " sensor TEXT NOT NULL,"
        " approval TEXT NULL,"
        " from_at BIGINT NOT NULL,"
        " to_at BIGINT NOT NULL,"
        " doc TEXT NOT NULL,"
        " PRIMARY KEY (batch, n));\n"
        "CREATE INDEX sensor_stats_approval ON sensor_stats (approval);\n"
        "INSERT INTO counters (name, value) VALUES ('record', 0);\n";

/* Migration 6: access and neutralization measures (アクセス・無害化措置) — records and
 * authorisations only: the designation of officers (指定), each case with its preconditions
 * (the commission's approval or, when urgent, its notice afterwards; the Foreign Minister's
 * prior consultation for a computer abroad; the administrator's notice), the execution log,
 * every step in measure_events, and the outcome the Diet statistics count. */
static const char migration_6[] =
        "CREATE TABLE measure_officers ("
        " id TEXT NOT NULL PRIMARY KEY,"
        " user_id TEXT NOT NULL REFERENCES users (id),"
        " org TEXT NOT NULL REFERENCES orgs (id),"
        " agency TEXT NOT NULL CHECK (agency IN ('police', 'sdf')),"
        " designated_by TEXT NOT NULL,"
        " npa INTEGER NOT NULL CHECK (npa IN (0, 1)),"
        " valid_from BIGINT NOT NULL,"
        " valid_until BIGINT NOT NULL,"
        " created_by TEXT NOT NULL REFERENCES users (id),"
        " created_at BIGINT NOT NULL);\n"
        "CREATE INDEX measure_officers_user ON measure_officers (user_id, agency);\n"
        "CREATE TABLE measures ("
        " id TEXT NOT NULL PRIMARY KEY,"
        " org TEXT NOT NULL REFERENCES orgs (id),"
        " agency TEXT NOT NULL CHECK (agency IN ('police', 'sdf')),"
        " officer TEXT NOT NULL REFERENCES users (id),"
        " designation TEXT NOT NULL REFERENCES measure_officers (id),"
        " filed_by TEXT NOT NULL REFERENCES users (id),"
        " created_at BIGINT NOT NULL,"
        " target_address TEXT NOT NULL,"
        " target_location TEXT NOT NULL CHECK (target_location IN ('domestic', 'abroad')),"
        " harm TEXT NOT NULL,"
        " urgency TEXT NOT NULL CHECK (urgency IN ('normal', 'urgent')),"
        " actions TEXT NOT NULL," /* JSON array of the fixed action names */
        " state TEXT NOT NULL CHECK (state IN ('open', 'requested', 'approved', 'rejected',"
        "  'executing', 'withdrawn', 'closed')),"
        " decided_by TEXT NULL REFERENCES users (id),"
        " decided_at BIGINT NULL,"
        " decision_reason TEXT NULL,"
        " consulted_at BIGINT NULL," /* 外務大臣との事前協議 */
        " consultation_ref TEXT NULL,"
        " first_executed_at BIGINT NULL,"
        " notice_due BIGINT NULL," /* set when executed without prior approval */
        " commission_notice_at BIGINT NULL,"
        " commission_notice_ref TEXT NULL,"
        " admin_notice_at BIGINT NULL,"
        " admin_notice_reason TEXT NULL," /* why the administrator was not notified */
        " outcome TEXT NULL CHECK (outcome IN ('executed', 'rejected', 'withdrawn',"
        "  'closed-without-execution')),"
        " outcome_at BIGINT NULL,"
        " closed_at BIGINT NULL);\n"
        "CREATE INDEX measures_org ON measures (org, id);\n"
        "CREATE INDEX measures_outcome ON measures (outcome, outcome_at);\n"
        "CREATE TABLE measure_events ("
        " measure TEXT NOT NULL REFERENCES measures (id),"
        " n INTEGER NOT NULL,"
        " at BIGINT NOT NULL,"
        " by_user TEXT NOT NULL REFERENCES users (id),"
        " role TEXT NOT NULL,"
        " action TEXT NOT NULL,"
        " detail TEXT NULL,"
        " PRIMARY KEY (measure, n));\n"
        "CREATE TABLE measure_executions ("
        " measure TEXT NOT NULL REFERENCES measures (id),"
        " n INTEGER NOT NULL,"
        " at BIGINT NOT NULL,"
        " action TEXT NOT NULL,"
        " result TEXT NOT NULL,"
        " by_user TEXT NOT NULL REFERENCES users (id),"
        " logged_at BIGINT NOT NULL,"
        " PRIMARY KEY (measure, n));\n";
/* Migration 7: retention and other-purpose use. `purges` records each retention run with
 * counts only (never what was purged), so the Diet report can sum them after the rows are
 * gone; `exports` records every request for other-purpose use (他目的利用) of selected
 * information and its decision, refused ones included — the data exported is not kept. */
static const char migration_7[] =
        "CREATE TABLE purges ("
        " id TEXT NOT NULL PRIMARY KEY,"
        " at BIGINT NOT NULL,"             /* the clock the purge ran on */
        " records_before BIGINT NOT NULL," /* cut-off: records whose last packet is older */
        " stats_before BIGINT NOT NULL,"
        " records BIGINT NOT NULL,"
        " stats BIGINT NOT NULL,"
        " by_actor TEXT NOT NULL);\n"
        "CREATE INDEX purges_at ON purges (at);\n"
        "CREATE TABLE exports ("
        " id TEXT NOT NULL PRIMARY KEY,"
        " num BIGINT NOT NULL UNIQUE,"
        " at BIGINT NOT NULL,"
        " by_user TEXT NOT NULL REFERENCES users (id),"
        " approval TEXT NOT NULL REFERENCES approvals (id),"
        " purpose_class TEXT NOT NULL,"
        " purpose TEXT NOT NULL,"
        " recipient TEXT NOT NULL,"
        " recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('domestic', 'foreign')),"
        " legal_basis TEXT NULL," /* JSON: law, article, mandatory */
        " terms TEXT NULL,"       /* JSON: the written-terms document's reference */
        " consent TEXT NULL,"     /* the consent that covered it */
        " decision TEXT NOT NULL CHECK (decision IN ('granted', 'refused')),"
        " reason TEXT NULL,"
        " records BIGINT NOT NULL);\n"
        "CREATE INDEX exports_at ON exports (at);\n";

/* Migration 8: measures follow-ups (docs/decisions/0014). A designation may be ended early
 * (revoked) with a reason; the commission records its response to a notice afterwards
 * (事後通知): acknowledged, or an objection with a reason. */
static const char migration_8[] =
        "ALTER TABLE measure_officers ADD COLUMN revoked_at BIGINT NULL;\n"
        "ALTER TABLE measure_officers ADD COLUMN revoked_by TEXT NULL REFERENCES users (id);\n"
        "ALTER TABLE measure_officers ADD COLUMN revoke_reason TEXT NULL;\n"
        "ALTER TABLE measures ADD COLUMN commission_response TEXT NULL"
        " CHECK (commission_response IN ('acknowledged', 'objection'));\n"
        "ALTER TABLE measures ADD COLUMN commission_response_at BIGINT NULL;\n"
        "ALTER TABLE measures ADD COLUMN commission_response_by TEXT NULL REFERENCES users (id);\n"
        "ALTER TABLE measures ADD COLUMN commission_response_reason TEXT NULL;\n";

/* Migration 9: the records index no query used (stored_at) gives way to the one the purge
 * needs (last_at: records whose last packet is older than the cut-off). An ingested record
 * still updates the same number of indexes; a purge no longer reads the whole table. */
static const char migration_9[] = "DROP INDEX records_stored;\n"
                                  "CREATE INDEX records_last ON records (last_at);\n";

/* Migration 10: selected records are stored in chunks (docs/decisions/0021): a row holds up
 * to RECORD_CHUNK_MAX records of one batch and one approval, their lines as sent, each ending
 * in \n, in batch order. The records of the chunk at `seq` have the seqs seq .. seq+n-1: each
 * record keeps its own arrival seq, the read API's cursor. last_min/last_max bound the
 * records' last packets (the purge's test); record_ids keeps each (approval, id) once, which
 * is what refuses a record already stored from another batch. Existing records become chunks
 * of one. */
static const char migration_10[] =
        "CREATE TABLE record_chunks ("
        " seq BIGINT NOT NULL PRIMARY KEY," /* the seq of its first record */
        " approval TEXT NOT NULL REFERENCES approvals (id),"
        " sensor TEXT NOT NULL,"
        " batch TEXT NOT NULL,"
        " n INTEGER NOT NULL CHECK (n >= 1 AND n <= 1024)," /* its records */
        " last_min BIGINT NOT NULL,"
        " last_max BIGINT NOT NULL,"
        " label TEXT NOT NULL," /* provenance: selected communications information */
        " stored_at BIGINT NOT NULL,"
        " docs TEXT NOT NULL);\n" /* the Contract 4 lines as the sensor sent them */
        "CREATE INDEX record_chunks_approval ON record_chunks (approval, seq);\n"
        "CREATE INDEX record_chunks_last ON record_chunks (last_min);\n"
        "CREATE TABLE record_ids ("
        " approval TEXT NOT NULL,"
        " id TEXT NOT NULL,"
        " seq BIGINT NOT NULL," /* the record's own seq, inside its chunk */
        " PRIMARY KEY (approval, id));\n"
        "INSERT INTO record_chunks (seq, approval, sensor, batch, n, last_min, last_max, label,"
        " stored_at, docs) SELECT seq, approval, sensor, batch, 1, last_at, last_at, label,"
        " stored_at, doc || '\n' FROM records;\n"
        "INSERT INTO record_ids (approval, id, seq) SELECT approval, id, seq FROM records;\n"
        "DROP TABLE records;\n";

const char *const schema_migrations[] = {
        migration_1, migration_2, migration_3, migration_4, migration_5,
        migration_6, migration_7, migration_8, migration_9, migration_10,
};

/* PostgreSQL compresses a long text value when it moves it out of line (TOAST); a chunk's
 * docs must stay plain text in the files, so that the retention test's search of the raw
 * files for a purged value can find it before the purge (decision 0015). A storage setting
 * only, no semantics: SQLite keeps text uncompressed anyway. */
static const char pg_storage_10[] =
        "ALTER TABLE record_chunks ALTER COLUMN docs SET STORAGE EXTERNAL;\n";

const char *const schema_pg_storage[] = {
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, pg_storage_10,
};

const size_t schema_migrations_count = sizeof schema_migrations / sizeof schema_migrations[0];

_Static_assert(sizeof schema_pg_storage / sizeof schema_pg_storage[0] ==
                       sizeof schema_migrations / sizeof schema_migrations[0],
               "one PostgreSQL storage entry for each migration");
