package dev.switchboard.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.Switchboard;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node names as the README shows them ({@code node-a}) get their own replication slot, distinct
 * from {@code node_a}'s; a second process starting with a name that is live on the database is
 * refused with a message naming the holder, and the name is free again once its node stops.
 */
class NodeNameOnPostgresTest {
    @TempDir
    Path dir;

    @Test
    void hyphenatedName_getsItsOwnSlot_andADuplicateLiveNameIsRefused() throws Exception {
        try (PgDatabase db = PgDatabase.create("nodename")) {
            try (Switchboard a = Nodes.inProcess(db, "node-a", dir.resolve("a"));
                 Switchboard underscore = Nodes.inProcess(db, "node_a", dir.resolve("u"))) {
                assertThat(a.port()).isNotEqualTo(underscore.port());
                assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'switchboard_node__a_" + db.name + "'"))
                        .as("node-a's slot").isEqualTo(1);
                assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'switchboard_node_a_" + db.name + "'"))
                        .as("node_a keeps the slot name it always had").isEqualTo(1);

                // the URL's own application_name must not hide the holder
                String url = db.url + (db.url.contains("?") ? "&" : "?") + "ApplicationName=mine";
                assertThatThrownBy(() -> dev.switchboard.Switchboard.start(new dev.switchboard.Config(false, "127.0.0.1", 0, dir.resolve("a2"),
                        java.util.Optional.of(url), 0, java.util.Optional.empty(), java.util.Optional.empty(), true, "node-a"),
                        java.time.Clock.systemUTC()))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("node name 'node-a' is already in use by a running node on this database")
                        .hasMessageMatching("(?s).*PostgreSQL backend [0-9]+ from .*, connected since 20.*")
                        .hasMessageContaining("give each node its own --node name");
            }
            // stopped nodes free their names: the same name starts again
            try (Switchboard again = Nodes.inProcess(db, "node-a", dir.resolve("a3"))) {
                assertThat(again.port()).isPositive();
            }
        }
    }
}
