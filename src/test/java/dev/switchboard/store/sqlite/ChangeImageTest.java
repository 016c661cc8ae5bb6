package dev.switchboard.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Row;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The change log's row images, read value by value, are the rows a map would have made. */
class ChangeImageTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static Row viaMap(String json) {
        return Row.of(JSON.readValue(json, new TypeReference<Map<String, Object>>() {}));
    }

    @Test
    void everyValueKind_readsAsTheMapWould() {
        for (String json : new String[] {
            "{\"id\":\"c1\",\"user_id\":\"t1\",\"duration\":42,\"cost\":1.25,\"flag\":true,\"off\":false,\"outcome\":null}",
            "{\"big\":123456789012345678901234567890,\"neg\":-7,\"exp\":1.5e3,\"text\":\"caf\\u00e9 \\\"q\\\"\"}",
            "{}",
            "{\"nested\":{\"a\":1},\"id\":\"x\"}",
            "{\"list\":[1,2],\"id\":\"y\"}",
        }) {
            Row direct = SqliteChangeSource.image(json);
            assertThat(direct).as(json).isEqualTo(viaMap(json));
            assertThat(direct.values().keySet()).as(json).containsExactlyElementsOf(viaMap(json).values().keySet());
        }
        assertThat(SqliteChangeSource.image(null)).isSameAs(Row.NONE);
        assertThat(SqliteChangeSource.image("{\"duration\":42}").raw("duration")).isEqualTo(42L);
    }
}
