package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.dataset.DatasetCatalog;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression: a breakdown with the documented {@code stat:} option ({@code {breakdown: status,
 * stat: "sum(duration)"}}) was taken for a stat widget, and the dashboard failed to load with
 * "unknown stat 'sum(duration)'".
 */
class BreakdownWithStatTest {
    static final String DATASETS = """
            calls:
              key: id
              tenant: user_id
              time: started_at
              columns:
                id: text
                user_id: text
                started_at: time
                status: text
                duration: integer
            """;

    @Test
    void breakdownWithStatOptionIsABreakdown() {
        DatasetCatalog catalog = DatasetCatalog.of(DatasetCatalog.parse(DATASETS, "test"));
        Definitions defs = Definitions.load(Map.of("d.yaml", """
                name: d
                widgets:
                  by_status: { breakdown: status, stat: "sum(duration)", dataset: calls }
                  total:     { stat: sum, field: duration, dataset: calls }
                """), catalog);
        DashboardDef def = defs.find("d").orElseThrow();
        assertThat(def.widgetKinds()).containsExactly(Map.entry("by_status", "breakdown"), Map.entry("total", "stat"));
    }
}
