package dev.switchboard.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.live.ViewKey;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A subscriber's resumable topics all belong to its tenant, and the fan-out keeps order only
 * within a lane: so every resumable topic of a tenant, however it is named, must be in that
 * tenant's lane, and no two tenants may share one.
 */
class TopicLaneTest {
    @Test
    void everyResumableTopicOfATenant_isInTheTenantsLane() {
        String tenant = "acme-01";
        assertThat(Topic.laneOf(TopicKind.DATASET, Hub.datasetTopic(tenant, "call_logs"))).isEqualTo(tenant);
        assertThat(Topic.laneOf(TopicKind.SLICE, new RowScope("agent", "agent-7", Map.of()).topic(tenant, "call_logs"))).isEqualTo(tenant);
        ViewKey whole = new ViewKey("calls", tenant, "", "", new TreeMap<>(Map.of("hours", 24)));
        ViewKey scoped = new ViewKey("calls", tenant, "agent", "agent-7", new TreeMap<>());
        assertThat(Topic.laneOf(TopicKind.DASHBOARD, whole.topic())).isEqualTo(tenant);
        assertThat(Topic.laneOf(TopicKind.DASHBOARD, scoped.topic())).isEqualTo(tenant);
        assertThat(Topic.laneOf(TopicKind.DATASET, Hub.datasetTopic("other", "call_logs"))).isNotEqualTo(tenant);
    }

    @Test
    void anEphemeralTopic_isALaneOfItsOwn_thatNoTenantCanBe() {
        assertThat(Topic.laneOf(TopicKind.EPHEMERAL, "node/load")).isEqualTo("~node/load");
        assertThat(Topic.laneOf(TopicKind.DATASET, "node/load")).isEqualTo("load");
    }
}
