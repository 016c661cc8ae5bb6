package dev.switchboard.store.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A connection outside the pool, for a session advisory lock held on it (a node's name, the
 * capture lease, migrations), named in {@code pg_stat_activity} so an operator can tell whose it is.
 */
final class OwnConnection {
    private OwnConnection() {}

    static Connection open(String url, Properties credentials, String applicationName) throws SQLException {
        Properties props = new Properties();
        props.putAll(credentials);
        props.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(url, props);
    }
}
