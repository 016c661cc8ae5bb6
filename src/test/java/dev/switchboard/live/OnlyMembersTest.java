package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.change.ChangeFeed;
import dev.switchboard.change.Position;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import dev.switchboard.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A widget's {@code only} (a semi-join kept live): seed 004's queue depth counts the queued
 * contacts of running campaigns only (SEED-CONTRACTS "Definition mismatches"). Pausing a campaign
 * takes its whole queue out, resuming puts it back, with no row of the queue changing; the per
 * campaign table shows member campaigns only; every value equals SQL.
 */
class OnlyMembersTest {
    @TempDir
    Path dir;

    static final String DASHBOARD = """
            name: q
            widgets:
              queue_depth:
                stat: count
                dataset: campaign_contacts
                where: { status: queued }
                only: { campaign_id: { dataset: campaigns, where: { status: running } } }
              queue_by_campaign:
                table: campaign_id
                dataset: campaign_contacts
                where: { status: queued }
                only: { campaign_id: { dataset: campaigns, where: { status: running } } }
                columns: { queued: count }
              dialing:
                table: campaign_id
                dataset: call_attempts
                window: 1m
                columns: { per_second: rate }
            """;

    private static DatasetCatalog catalog() throws Exception {
        return DatasetCatalog.of(DatasetCatalog.parse(Files.readString(Path.of("src/main/resources/packs/campaigns/datasets.yaml")), "campaigns"));
    }

    private static Map<String, Object> campaign(String id, String status) {
        return Map.of("id", id, "account_id", "a1", "name", id, "status", status, "created_at", "2026-11-23T11:00:00.000Z");
    }

    private static Map<String, Object> contact(String id, String campaign, String status) {
        return Map.of("id", id, "account_id", "a1", "campaign_id", campaign, "phone_number", "+1555", "status", status,
                "created_at", "2026-11-23T11:00:00.000Z");
    }

    @Test
    void queuedContactsOfRunningCampaignsOnly_followCampaignStatus_andEqualSql() throws Exception {
        DatasetCatalog catalog = catalog();
        Definitions defs = Definitions.load(Map.of("q.yaml", DASHBOARD), catalog);
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
        Dataset campaigns = catalog.find("campaigns").orElseThrow();
        Dataset contacts = catalog.find("campaign_contacts").orElseThrow();
        try (SqliteStore store = SqliteStore.open(dir.resolve("q.db"))) {
            store.migrate(List.copyOf(catalog.all()));
            store.ingest(campaigns, "a1", List.of(campaign("run", "running"), campaign("paused", "paused")));
            store.ingest(contacts, "a1", List.of(contact("k1", "run", "queued"), contact("k2", "run", "queued"), contact("k3", "run", "completed"),
                    contact("k4", "paused", "queued"), contact("k5", "gone", "queued")));
            try (ChangeFeed feed = new ChangeFeed(store.changes(), store.changes().head())) {
                LiveEngine engine = new LiveEngine(defs, catalog, store, clock, feed, (k, p, w) -> { });
                feed.addListener(engine);
                feed.start();
                ViewKey key = ViewKey.of("q", "a1");
                check(engine, key, 2L, Map.of("run", 2L));

                Position at = store.ingest(campaigns, "a1", List.of(campaign("paused", "running"))).position(); // resumed
                feed.awaitPosition(at, Duration.ofSeconds(10));
                check(engine, key, 3L, Map.of("run", 2L, "paused", 1L));

                at = store.ingest(campaigns, "a1", List.of(campaign("run", "paused"))).position();
                feed.awaitPosition(at, Duration.ofSeconds(10));
                check(engine, key, 1L, Map.of("paused", 1L));

                at = store.ingest(contacts, "a1", List.of(contact("k6", "paused", "queued"), contact("k4", "paused", "dialing"))).position();
                feed.awaitPosition(at, Duration.ofSeconds(10));
                check(engine, key, 1L, Map.of("paused", 1L));

                at = store.ingest(campaigns, "a1", List.of(campaign("gone", "running"))).position(); // a campaign created late
                feed.awaitPosition(at, Duration.ofSeconds(10));
                check(engine, key, 2L, Map.of("paused", 1L, "gone", 1L));
                assertThat(engine.reconcile()).isZero();
            }
        }
    }

    private static void check(LiveEngine engine, ViewKey key, long depth, Map<String, Long> perCampaign) {
        Map<String, Object> live = engine.state(key).widgets();
        assertThat(live.get("queue_depth")).isEqualTo(depth);
        Map<String, Long> table = new java.util.HashMap<>();
        ((List<?>) live.get("queue_by_campaign")).forEach(r -> table.put((String) ((Map<?, ?>) r).get("campaign_id"),
                (Long) ((Map<?, ?>) r).get("queued")));
        assertThat(table).isEqualTo(perCampaign);
        assertThat(Equality.sameValues(live, engine.sqlValues(key, engine.clock().millis()))).as("live equals SQL: " + live).isTrue();
    }

    @Test
    void onlyAppliesToAdditiveStatsAndToTablesOfItsField() throws Exception {
        DatasetCatalog catalog = catalog();
        String only = "only: { campaign_id: { dataset: campaigns, where: { status: running } } }";
        for (String bad : List.of(
                "{ stat: avg, field: attempt_count, dataset: campaign_contacts, " + only + " }",
                "{ breakdown: status, dataset: campaign_contacts, " + only + " }",
                "{ table: status, dataset: campaign_contacts, columns: { n: count }, " + only + " }",
                "{ stat: count, dataset: campaign_contacts, only: { nope: { dataset: campaigns } } }",
                "{ stat: count, dataset: campaign_contacts, only: { campaign_id: { dataset: nope } } }",
                "{ series: rate, bucket: 1m, dataset: call_attempts, window: 1h }",
                "{ table: campaign_id, dataset: call_attempts, columns: { r: rate } }")) {
            String yaml = "name: q\nwidgets:\n  w: " + bad + "\n";
            assertThatThrownBy(() -> Definitions.load(Map.of("q.yaml", yaml), catalog)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
