package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Alert thresholds in memory, with time passed in: hold, fire once, resolve, no data. */
class AlertsTest {
    private static final ViewKey KEY = ViewKey.of("campaigns", "t1");

    private static Alerts alerts(String yaml) {
        var node = YAMLMapper.builder().build().readTree(yaml);
        return new Alerts(List.of(Alerts.parse("queue_depth", node, "test").orElseThrow()));
    }

    private static List<Map<String, Object>> at(Alerts a, Object value, long now) {
        Map<String, Object> values = new HashMap<>();
        values.put("queue_depth", value);
        return a.evaluate(KEY, values, now);
    }

    @Test
    void aboveForTwoMinutes_firesOnceAfterTheHold_andResolves() {
        Alerts a = alerts("alert: { above: 100, for: 2m, message: Queue too deep, severity: critical }");
        assertThat(at(a, 150L, 0)).isEmpty();
        assertThat(a.pending()).isTrue();
        assertThat(at(a, 180L, 60_000)).isEmpty();
        List<Map<String, Object>> fired = at(a, 170L, 120_000);
        assertThat(fired).hasSize(1);
        assertThat(fired.get(0)).containsEntry("state", "firing").containsEntry("value", 170L).containsEntry("above", 100.0)
                .containsEntry("severity", "critical").containsEntry("message", "Queue too deep").containsEntry("widget", "queue_depth");
        assertThat(at(a, 170L, 130_000)).isEmpty(); // fires once
        assertThat(a.firing(KEY)).hasSize(1);
        List<Map<String, Object>> resolved = at(a, 100L, 140_000); // not above any more
        assertThat(resolved).extracting(e -> e.get("state")).containsExactly("resolved");
        assertThat(a.firing(KEY)).isEmpty();
    }

    @Test
    void aDipDuringTheHold_restartsIt_andNoDataHoldsNothing() {
        Alerts a = alerts("alert: { below: 50, for: 30s }");
        assertThat(at(a, 40.0, 0)).isEmpty();
        assertThat(at(a, 60.0, 20_000)).isEmpty();
        assertThat(at(a, 40.0, 25_000)).isEmpty();
        assertThat(at(a, 40.0, 50_000)).isEmpty(); // 25 s since it held again
        assertThat(at(a, 40.0, 55_000)).extracting(e -> e.get("state")).containsExactly("firing");
        assertThat(at(a, null, 60_000)).extracting(e -> e.get("state")).containsExactly("resolved");
        assertThat(at(a, null, 120_000)).isEmpty();
    }

    @Test
    void badRules_areRefusedWithTheReason() {
        assertThatThrownBy(() -> alerts("alert: { for: 2m }")).hasMessageContaining("exactly one of 'above' or 'below'");
        assertThatThrownBy(() -> alerts("alert: { above: lots }")).hasMessageContaining("must be a number");
        assertThatThrownBy(() -> alerts("alert: { above: 1, for: soon }")).hasMessageContaining("30s, 2m or 1h");
        assertThatThrownBy(() -> alerts("alert: { above: 1, severity: loud }")).hasMessageContaining("info, warning or critical");
    }
}
