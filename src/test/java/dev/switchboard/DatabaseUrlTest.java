package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Database URLs as users write them become pgjdbc URLs; the password never shows in what is printed. */
class DatabaseUrlTest {

    static List<Arguments> urls() {
        return List.of(
                // url, hosts, database, user, password, properties
                Arguments.of("postgresql://127.0.0.1:5432/db", List.of("127.0.0.1:5432"), "db", null, null, Map.of()),
                Arguments.of("postgres://sb:secret@db.example/sb", List.of("db.example:5432"), "sb", "sb", "secret", Map.of()),
                Arguments.of("postgresql://postgres@127.0.0.1:5432/db", List.of("127.0.0.1:5432"), "db", "postgres", null, Map.of()),
                Arguments.of("postgres://u:p%40ss%3Aw%2Frd@h:6543/d", List.of("h:6543"), "d", "u", "p@ss:w/rd", Map.of()),
                Arguments.of("postgres://u:p@ss:w@h/d", List.of("h:5432"), "d", "u", "p@ss:w", Map.of()),
                Arguments.of("postgres://u%40corp:pw@h/my%20db", List.of("h:5432"), "my db", "u@corp", "pw", Map.of()),
                Arguments.of("postgresql://u:pw@h1:5432,h2:5433,[::1]:5434/d?target_session_attrs=read-write",
                        List.of("h1:5432", "h2:5433", "[::1]:5434"), "d", "u", "pw", Map.of("targetServerType", "primary")),
                Arguments.of("postgres://u:pw@h/d?sslmode=require&application_name=board&connect_timeout=5",
                        List.of("h:5432"), "d", "u", "pw", Map.of("sslmode", "require", "ApplicationName", "board", "connectTimeout", "5")),
                Arguments.of("postgresql://h/d?user=sb&password=a%26b", List.of("h:5432"), "d", "sb", "a&b", Map.of()),
                Arguments.of("jdbc:postgresql://h:5432/d?user=sb&password=x&prepareThreshold=0", List.of("h:5432"), "d", "sb", "x",
                        Map.of("prepareThreshold", "0")),
                Arguments.of("jdbc:postgresql://sb:pw@h/d", List.of("h:5432"), "d", "sb", "pw", Map.of()));
    }

    @ParameterizedTest
    @MethodSource("urls")
    void parses(String url, List<String> hosts, String database, String user, String password, Map<String, String> props) {
        DatabaseUrl parsed = DatabaseUrl.parse(url);
        assertThat(parsed.hosts()).isEqualTo(hosts);
        assertThat(parsed.database()).isEqualTo(database);
        assertThat(parsed.user()).isEqualTo(Optional.ofNullable(user));
        assertThat(parsed.password()).isEqualTo(Optional.ofNullable(password));
        assertThat(parsed.properties()).isEqualTo(props);
        assertThat(parsed.jdbcUrl()).startsWith("jdbc:postgresql://" + String.join(",", hosts) + "/");
        assertThat(parsed.credentials().getProperty("password")).isEqualTo(password);
        if (password != null) {
            assertThat(parsed.jdbcUrl()).doesNotContain("password=");
            assertThat(parsed.redacted()).contains(":****@").doesNotContain(password);
            assertThat(parsed.toString()).doesNotContain(password);
            assertThat(parsed.target()).doesNotContain(password);
        }
    }

    @Test
    void jdbcUrl_roundTripsThroughPgjdbc_withSpecialCharactersInThePassword() throws Exception {
        DatabaseUrl parsed = DatabaseUrl.parse("postgres://u:p@ss:w%2F%3F%26%25rd@h:6543/d?sslmode=require&sslpassword=k3y");
        assertThat(parsed.jdbcUrl()).as("secrets stay out of the URL, which pgjdbc reports as given")
                .doesNotContain("p%40ss").doesNotContain("p@ss").doesNotContain("k3y").doesNotContain("password");
        java.util.Properties props = org.postgresql.Driver.parseURL(parsed.jdbcUrl(), parsed.credentials());
        assertThat(props.getProperty("password")).isEqualTo("p@ss:w/?&%rd");
        assertThat(props.getProperty("user")).isEqualTo("u");
        assertThat(props.getProperty("PGDBNAME")).isEqualTo("d");
        assertThat(props.getProperty("PGPORT")).isEqualTo("6543");
        assertThat(props.getProperty("sslmode")).isEqualTo("require");
        assertThat(props.getProperty("sslpassword")).isEqualTo("k3y");
        assertThat(parsed.redacted()).doesNotContain("k3y").contains("sslpassword=****");
    }

    static List<Arguments> bad() {
        return List.of(
                Arguments.of("mysql://u:pw@h/d", "must start with postgres://"),
                Arguments.of("postgres://u:pw@h:99999/d", "invalid port '99999'"),
                Arguments.of("postgres://u:pw@h:abc/d", "invalid port 'abc'"),
                Arguments.of("postgres://u:pw@h", "names no database"),
                Arguments.of("postgres://u:pw@h/d?sslmode=sometimes", "sslmode=sometimes"),
                Arguments.of("postgres://u:pw@h/d?bogus=1", "unsupported parameter 'bogus'"),
                Arguments.of("postgres://u:p%zzw@h/d", "bad percent-encoding in the password"),
                Arguments.of("postgres://u:pa/ss@h/d", "percent-encode '/'"),
                Arguments.of("postgres://u:pw@[::1/d", "IPv6"));
    }

    @ParameterizedTest
    @MethodSource("bad")
    void badUrl_isRefusedWithOneLine_neverQuotingThePassword(String url, String message) {
        assertThatThrownBy(() -> DatabaseUrl.parse(url)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("pw").doesNotContain("pa/ss"));
    }
}
