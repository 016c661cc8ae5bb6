package dev.switchboard.packs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.switchboard.dataset.ColumnType;
import dev.switchboard.dataset.Dataset;
import dev.switchboard.dataset.DatasetCatalog;
import org.junit.jupiter.api.Test;

class PackDatasetsTest {

    @Test
    void everyPack_hasADatasetsFileThatParses() {
        assertThat(PackFiles.packs()).containsExactlyInAnyOrder("bookings", "calls", "campaigns", "clinic", "shop");
        for (String pack : PackFiles.packs()) {
            assertThat(PackFiles.datasets(pack)).as(pack).isNotEmpty();
        }
    }

    @Test
    void datasetNames_areUniqueAcrossAllPacks() {
        // The table name is the dataset name, and all packs share one database.
        assertThatCode(() -> DatasetCatalog.of(PackFiles.allDatasets())).doesNotThrowAnyException();
    }

    @Test
    void keyTenantAndTimeColumns_areRequiredWithTheRightTypes() {
        for (Dataset d : PackFiles.allDatasets()) {
            assertThat(d.column(d.key()).orElseThrow()).as(d.name() + " key")
                    .satisfies(c -> assertThat(c.type()).isEqualTo(ColumnType.TEXT))
                    .satisfies(c -> assertThat(c.required()).isTrue());
            assertThat(d.column(d.tenant()).orElseThrow()).as(d.name() + " tenant")
                    .satisfies(c -> assertThat(c.type()).isEqualTo(ColumnType.TEXT))
                    .satisfies(c -> assertThat(c.required()).isTrue());
            assertThat(d.column(d.time()).orElseThrow()).as(d.name() + " time")
                    .satisfies(c -> assertThat(c.type()).isEqualTo(ColumnType.TIME))
                    .satisfies(c -> assertThat(c.required()).isTrue());
        }
    }

    @Test
    void columnNames_areSnakeCase() {
        for (Dataset d : PackFiles.allDatasets()) {
            assertThat(d.columnNames()).as(d.name()).allMatch(n -> n.matches("[a-z][a-z0-9_]*"));
        }
    }
}
