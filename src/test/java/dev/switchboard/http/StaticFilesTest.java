package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Issue 12, finding 3: missing paths, which anyone can invent without a token, are not remembered. */
class StaticFilesTest {

    @Test
    void missingPaths_areNotCached_existingFilesAre() {
        StaticFiles files = new StaticFiles();
        String longName = "x".repeat(6000);
        for (int i = 0; i < 2000; i++) {
            assertThat(files.find("/webjars/" + longName + i)).isEmpty();
            assertThat(files.find("/ui/" + longName + i + ".js")).isEmpty();
        }
        assertThat(files.cached()).isZero();
        var index = files.find("/");
        assertThat(index).isPresent();
        assertThat(index.get().type()).startsWith("text/html");
        assertThat(files.find("/index.html").get().bytes()).isSameAs(index.get().bytes());
        assertThat(files.cached()).isEqualTo(1);
    }
}
