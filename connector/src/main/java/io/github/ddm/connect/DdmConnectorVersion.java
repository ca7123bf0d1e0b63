package io.github.ddm.connect;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The plugin's version, read from a resource the build fills in. */
public final class DdmConnectorVersion {

    private static final String VERSION = load();

    private DdmConnectorVersion() {
    }

    /** The version, such as {@code 0.1.0-SNAPSHOT}. */
    public static String get() {
        return VERSION;
    }

    private static String load() {
        Properties properties = new Properties();
        try (InputStream in = DdmConnectorVersion.class.getResourceAsStream("ddm-connector-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return properties.getProperty("version", "unknown");
    }
}
