package dev.switchboard.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 12, finding 7: request rates and open streams per address, subject and tenant. */
class AdmissionTest {
    /** A clock the test moves. */
    static final class Manual extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        public Instant instant() {
            return now;
        }
    }

    final Manual clock = new Manual();
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    Admission admission(Map<String, String> env) {
        return new Admission(Limits.fromEnvironment(env), clock, metrics);
    }

    double rejected(String limit) {
        var c = metrics.find("switchboard_limit_rejections").tag("limit", limit).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void requestRate_perAddress_allowsABurstOfTwoSeconds_thenRefusesUntilRefilled() {
        Admission a = admission(Map.of("SWITCHBOARD_RATE_PER_IP", "5"));
        for (int i = 0; i < 10; i++) {
            assertThat(a.tryRequest("10.0.0.1")).as("request %d", i).isEmpty();
        }
        var refused = a.tryRequest("10.0.0.1");
        assertThat(refused).hasValueSatisfying(r -> {
            assertThat(r.limit()).isEqualTo("rate_per_ip");
            assertThat(r.retryAfterSeconds()).isEqualTo(1);
            assertThat(r.message()).contains("10.0.0.1").contains("5/s");
        });
        assertThat(a.tryRequest("10.0.0.2")).as("another address has its own bucket").isEmpty();
        clock.now = clock.now.plusMillis(200);
        assertThat(a.tryRequest("10.0.0.1")).isEmpty();
        assertThat(rejected("rate_per_ip")).isEqualTo(1);
    }

    @Test
    void requestRate_perSubject_andPerTenant() {
        Admission a = admission(Map.of("SWITCHBOARD_RATE_PER_SUBJECT", "1", "SWITCHBOARD_RATE_PER_TENANT", "2"));
        assertThat(a.tryRequest("t", "u1")).isEmpty();
        assertThat(a.tryRequest("t", "u1")).isEmpty();
        assertThat(a.tryRequest("t", "u1")).hasValueSatisfying(r -> assertThat(r.limit()).isEqualTo("rate_per_subject"));
        assertThat(a.tryRequest("t", "u2")).isEmpty();
        assertThat(a.tryRequest("t", "u3")).isEmpty();
        assertThat(a.tryRequest("t", "u4")).hasValueSatisfying(r -> assertThat(r.limit()).isEqualTo("rate_per_tenant"));
        assertThat(a.tryRequest("other", "u1")).as("subjects are per tenant").isEmpty();
    }

    @Test
    void streams_areCountedPerAddressSubjectAndTenant_andReleased() {
        Admission a = admission(Map.of("SWITCHBOARD_STREAMS_PER_IP", "3", "SWITCHBOARD_STREAMS_PER_SUBJECT", "2",
                "SWITCHBOARD_STREAMS_PER_TENANT", "4"));
        assertThat(a.tryAcquireStream("ip1", "t", "u1")).isEmpty();
        assertThat(a.tryAcquireStream("ip1", "t", "u1")).isEmpty();
        assertThat(a.tryAcquireStream("ip2", "t", "u1")).hasValueSatisfying(r -> assertThat(r.limit()).isEqualTo("streams_per_subject"));
        assertThat(a.tryAcquireStream("ip1", "t", "u2")).isEmpty();
        assertThat(a.tryAcquireStream("ip1", "t", "u3")).hasValueSatisfying(r -> assertThat(r.limit()).isEqualTo("streams_per_ip"));
        assertThat(a.tryAcquireStream("ip2", "t", "u3")).isEmpty();
        assertThat(a.tryAcquireStream("ip3", "t", "u4")).hasValueSatisfying(r -> assertThat(r.limit()).isEqualTo("streams_per_tenant"));
        // A refusal leaves no partial count behind.
        assertThat(a.openStreams("ip ip3")).isZero();
        a.releaseStream("ip1", "t", "u1");
        assertThat(a.tryAcquireStream("ip3", "t", "u4")).isEmpty();
        assertThat(a.openStreams("tenant t")).isEqualTo(4);
        assertThat(rejected("streams_per_tenant")).isEqualTo(1);
    }

    @Test
    void buckets_ofQuietClients_areDropped() {
        Admission a = admission(Map.of());
        for (int i = 0; i <= Admission.SWEEP_AT; i++) {
            a.tryRequest("10.1." + (i / 250) + "." + (i % 250));
        }
        clock.now = clock.now.plusSeconds(10);
        a.tryRequest("10.9.9.9");
        assertThat(a.buckets()).isLessThanOrEqualTo(2);
    }
}
