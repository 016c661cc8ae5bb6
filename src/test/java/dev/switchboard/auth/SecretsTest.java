package dev.switchboard.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Issue 12, finding 17: a long but guessable secret is called weak. */
class SecretsTest {
    @Test
    void repeatedCharactersOrWords_areWeak_randomHexIsNot() {
        assertThat(Secrets.weak("a".repeat(64).getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(Secrets.weak("secretsecretsecretsecretsecret12".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(Secrets.weak("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".getBytes(StandardCharsets.UTF_8))).isFalse();
    }
}
