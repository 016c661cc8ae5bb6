package dev.switchboard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.change.Change;
import dev.switchboard.change.Op;
import dev.switchboard.change.Position;
import dev.switchboard.change.Row;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Changes reach the views they can touch: every unscoped view, and the scoped views of their subject only. */
class TenantViewsTest {
    private final ShippedDashboards calls = ShippedDashboards.all().stream()
            .filter(d -> d.def().name().equals("calls") && d.scope().isEmpty()).findFirst().orElseThrow();
    private final View whole = view("", "");
    private final View agent1 = view("agent", "agent-1");
    private final View agent2 = view("agent", "agent-2");
    private long seq;

    private View view(String scope, String subject) {
        ViewKey key = calls.defs().key(calls.def(), "t1", scope, subject, Map.of());
        return Compiler.compile(calls.def(), key, calls.catalog());
    }

    private Change change(String dataset, Map<String, Object> before, Map<String, Object> after) {
        Row b = before.isEmpty() ? Row.NONE : Row.of(before);
        Row a = after.isEmpty() ? Row.NONE : Row.of(after);
        Op op = before.isEmpty() ? Op.CREATE : after.isEmpty() ? Op.DELETE : Op.UPDATE;
        return new Change(new Position("e", ++seq), "t1", dataset, op, "call-" + seq, b, a, Instant.EPOCH);
    }

    private TenantViews all() {
        TenantViews t = new TenantViews();
        t.put(whole);
        t.put(agent1);
        t.put(agent2);
        return t;
    }

    private static Set<String> subjects(Map<View, List<Change>> routed) {
        return routed.keySet().stream().map(v -> v.key.subject().isEmpty() ? "all" : v.key.subject()).collect(Collectors.toSet());
    }

    @Test
    void scopedViews_areRoutedBySubject() {
        assertThat(agent1.routes).containsKey("call_logs");
        assertThat(whole.routes).isEmpty();
    }

    @Test
    void aChangeOfAnotherSubject_reachesOnlyTheUnscopedView() {
        Map<View, List<Change>> routed = all().route(List.of(change("call_logs", Map.of(), Map.of("id", "c", "agent_config_id", "agent-3"))));
        assertThat(subjects(routed)).containsExactly("all");
    }

    @Test
    void aChangeMovingARowBetweenSubjects_reachesBoth() {
        Change moved = change("call_logs", Map.of("id", "c", "agent_config_id", "agent-1"), Map.of("id", "c", "agent_config_id", "agent-2"));
        assertThat(subjects(all().route(List.of(moved)))).containsExactlyInAnyOrder("all", "agent-1", "agent-2");
        Change deleted = change("call_logs", Map.of("id", "c", "agent_config_id", "agent-2"), Map.of());
        assertThat(subjects(all().route(List.of(deleted)))).containsExactlyInAnyOrder("all", "agent-2");
    }

    @Test
    void eachViewGetsItsChangesInOrder_andARemovedViewNone() {
        TenantViews t = all();
        Change a = change("call_logs", Map.of(), Map.of("id", "a", "agent_config_id", "agent-1"));
        Change b = change("call_logs", Map.of(), Map.of("id", "b", "agent_config_id", "agent-2"));
        Change c = change("call_logs", Map.of("id", "a", "agent_config_id", "agent-1"), Map.of("id", "a", "agent_config_id", "agent-1", "status", "ended"));
        Map<View, List<Change>> routed = t.route(List.of(a, b, c));
        assertThat(routed.get(whole)).containsExactly(a, b, c);
        assertThat(routed.get(agent1)).containsExactly(a, c);
        assertThat(routed.get(agent2)).containsExactly(b);

        t.remove(agent1.key);
        assertThat(t.route(List.of(a, b, c))).doesNotContainKey(agent1);
        t.put(agent1);
        assertThat(t.route(List.of(a))).containsKey(agent1);
    }

    @Test
    void aRowWithoutTheScopeColumn_reachesNoScopedView() {
        Change none = change("call_logs", Map.of(), Map.of("id", "c"));
        assertThat(subjects(all().route(List.of(none)))).containsExactly("all");
    }
}
