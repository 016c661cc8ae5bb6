package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.dataset.DatasetCatalog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The presentation keys of a definition (headline, currency, units, periods, keys): parsed, served, validated. */
class DisplayTest {
    static final DatasetCatalog CATALOG = DatasetCatalog.of(DatasetCatalog.parse(BreakdownWithStatTest.DATASETS, "test"));

    static DashboardDef load(String yaml) {
        return Definitions.load(Map.of("d.yaml", yaml), CATALOG).find("d").orElseThrow();
    }

    @Test
    void display_carriesHeadlineCurrencyUnitsPeriodsAndKeys() {
        DashboardDef def = load("""
                name: d
                headline: total
                currency: EUR
                widgets:
                  total:  { stat: sum, field: duration, dataset: calls, window: "24h", unit: currency, title: Takings }
                  active: { stat: count, dataset: calls, where: { status: active }, unit: calls, period: now }
                  recent: { list: calls, units: { duration: min }, keys: [status, duration] }
                """);
        assertThat(def.display().headline()).isEqualTo("total");
        assertThat(def.display().currency()).isEqualTo("EUR");
        assertThat(def.display().widgets().get("total")).containsEntry("unit", "currency").containsEntry("window", "24h").containsEntry("title", "Takings");
        assertThat(def.display().widgets().get("active")).containsEntry("unit", "calls").containsEntry("period", "now").doesNotContainKey("window");
        assertThat(def.display().widgets().get("recent")).containsEntry("units", Map.of("duration", "min")).containsEntry("keys", List.of("status", "duration"));
    }

    @Test
    void display_refusesAHeadlineThatIsNoStat_andMoneyWithoutACurrency() {
        assertThatThrownBy(() -> load("""
                name: d
                headline: recent
                widgets:
                  recent: { list: calls }
                """)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("headline 'recent' must name a stat widget");
        assertThatThrownBy(() -> load("""
                name: d
                widgets:
                  total: { stat: sum, field: duration, dataset: calls, unit: currency }
                """)).hasMessageContaining("widget total").hasMessageContaining("needs the dashboard's currency");
        assertThatThrownBy(() -> load("""
                name: d
                currency: dollars
                widgets:
                  total: { stat: count, dataset: calls }
                """)).hasMessageContaining("ISO 4217");
        assertThatThrownBy(() -> load("""
                name: d
                widgets:
                  total: { stat: count, dataset: calls, period: { from: 1 } }
                """)).hasMessageContaining("'period' must be a non-empty text");
    }
}
