package dev.switchboard.store.sqlite;

import dev.switchboard.change.Row;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

final class Jdbc {
    private Jdbc() {}

    static void forEachRow(ResultSet rs, Consumer<Row> each) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        String[] labels = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = md.getColumnLabel(i + 1);
        }
        while (rs.next()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                m.put(labels[i], rs.getObject(i + 1));
            }
            each.accept(Row.of(m));
        }
    }
}
